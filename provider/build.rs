//! Compiles `proto/` with protox (a protobuf compiler in Rust) and tonic-prost-build: no `protoc` needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../proto");
    let files = [dir.join("tfplugin6.proto"), dir.join("plugin.proto")];
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let fds = protox::compile(&files, [&dir])?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
