//! The `thin-margin` binary: parse the command line and run it; errors go to stderr
//! as `file:line:column: field: sentence` with a non-zero exit code.

use clap::{CommandFactory, Parser};
use thin_margin::cli::{Cli, run_command};

fn main() {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        // The game window arrives with the `gui` feature's next issue; until then, help.
        let _ = Cli::command().print_help();
        println!();
        return;
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Err(e) = run_command(command, &mut out) {
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}
