//! `piazza`: see `piazza --help`.

fn main() -> std::process::ExitCode {
    piazza::main()
}
