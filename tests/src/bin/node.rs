//! The `piazza` binary under another name, so the end-to-end tests can start it as processes.

fn main() -> std::process::ExitCode {
    piazza::main()
}
