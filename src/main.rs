//! The `newshound` binary: everything happens in [`newshound::cli`].

fn main() -> std::process::ExitCode {
    newshound::cli::main()
}
