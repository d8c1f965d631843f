//! The `newshound` binary: everything happens in [`newshound::cli`].

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    newshound::cli::main()
}
