//! The `terraform-provider-bcdr` binary: started by Terraform, serves until Terraform shuts it down.

use std::process::ExitCode;

fn main() -> ExitCode {
    terraform_provider_bcdr::log::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-bcdr: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(terraform_provider_bcdr::serve::run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terraform-provider-bcdr: {e}");
            ExitCode::FAILURE
        }
    }
}
