//! `microlite`: run conformance sets, inspect models and plans, run and benchmark models.

use microlite_cli::conform;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: microlite <command> ...
  conform DIR              run every DIR/NAME/model.tflite against its golden cases";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("conform") if args.len() == 2 => cmd_conform(Path::new(&args[1])),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn cmd_conform(dir: &Path) -> ExitCode {
    let res = conform::run_set(dir, |name, outcome| {
        println!("{}", conform::line(name, outcome))
    });
    match res {
        Ok((pass, fail)) => {
            println!("{pass} passed, {fail} failed");
            if fail == 0 && pass > 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("microlite: {e}");
            ExitCode::from(2)
        }
    }
}
