//! The `terraform-provider-bcdr` binary: started by Terraform, serves until Terraform shuts it down
//! or is gone; `--debug` starts it by hand for Terraform to reattach to (`TF_REATTACH_PROVIDERS`).

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
    let mode = terraform_provider_bcdr::serve::Mode::from_args(std::env::args().skip(1));
    let served = runtime.block_on(terraform_provider_bcdr::serve::run(mode));
    // Whatever is still running (a request to ARM for a Terraform that is gone) is not waited for.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terraform-provider-bcdr: {e}");
            ExitCode::FAILURE
        }
    }
}
