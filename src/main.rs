//! The `thin-margin` binary: parse the command line and run it (no subcommand: the
//! game); errors go to stderr as `file:line:column: field: sentence` with a non-zero
//! exit code.

use clap::Parser;
use thin_margin::cli::{Cli, run_command};

fn main() {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        start_game();
        return;
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Err(e) = run_command(command, &mut out) {
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}

/// No subcommand: the game on the default campaign (with the `gui` feature).
#[cfg(feature = "gui")]
fn start_game() {
    if let Err(e) = thin_margin::cli::run_game() {
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}

/// No subcommand and no game in this build: the help.
#[cfg(not(feature = "gui"))]
fn start_game() {
    use clap::CommandFactory;
    let _ = Cli::command().print_help();
    println!();
}
