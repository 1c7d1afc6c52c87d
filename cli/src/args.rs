//! A small hand-written command-line parser: positionals, `--name value` / `--name=value`
//! options (repeatable), `-h`/`--help`, and `--` to end options.

/// Parsed arguments of one command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// Positional arguments in order.
    pub positional: Vec<String>,
    /// Options in order as `(name without dashes, value)`; an option may repeat.
    pub opts: Vec<(String, String)>,
    /// Whether `-h` or `--help` was given.
    pub help: bool,
    /// Value-less options given (`--name`), without dashes.
    pub flags: Vec<String>,
}

impl Args {
    /// Parses `args` (after the command name); `valued` lists the options that take a value.
    ///
    /// # Errors
    /// A usage message for an unknown option or an option missing its value.
    pub fn parse(args: &[String], valued: &[&str]) -> Result<Args, String> {
        Self::parse_with_flags(args, valued, &[])
    }

    /// As [`Self::parse`], also accepting the value-less options in `flags`.
    ///
    /// # Errors
    /// As [`Self::parse`]; a flag given a value (`--flag=x`) is an error too.
    pub fn parse_with_flags(
        args: &[String],
        valued: &[&str],
        flags: &[&str],
    ) -> Result<Args, String> {
        let mut out = Args::default();
        let mut it = args.iter();
        let mut only_positional = false;
        while let Some(a) = it.next() {
            if only_positional || a == "-" || !a.starts_with('-') {
                out.positional.push(a.clone());
                continue;
            }
            if a == "--" {
                only_positional = true;
                continue;
            }
            if a == "-h" || a == "--help" {
                out.help = true;
                continue;
            }
            let Some(body) = a.strip_prefix("--") else {
                return Err(format!("unknown option {a}"));
            };
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            if flags.contains(&name) {
                if inline.is_some() {
                    return Err(format!("option --{name} takes no value"));
                }
                out.flags.push(name.to_string());
                continue;
            }
            if !valued.contains(&name) {
                return Err(format!("unknown option --{name}"));
            }
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("option --{name} needs a value"))?,
            };
            out.opts.push((name.to_string(), value));
        }
        Ok(out)
    }

    /// Whether the value-less option `name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    /// Every value given for option `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.opts
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The last value given for option `name` parsed as a number, or `default`.
    ///
    /// # Errors
    /// A usage message when the value is not a non-negative integer.
    pub fn number(&self, name: &str, default: u64) -> Result<u64, String> {
        match self.all(name).last() {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| format!("--{name} wants a non-negative integer, got {v:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_positionals_and_options() {
        let a = Args::parse(
            &s(&[
                "m.tflite",
                "--input",
                "a.npy",
                "--input=b.npy",
                "--runs",
                "3",
            ]),
            &["input", "runs"],
        )
        .unwrap();
        assert_eq!(a.positional, s(&["m.tflite"]));
        assert_eq!(a.all("input"), vec!["a.npy", "b.npy"]);
        assert_eq!(a.number("runs", 100).unwrap(), 3);
        assert_eq!(a.number("warmup", 10).unwrap(), 10);
        assert!(!a.help);
    }

    #[test]
    fn rejects_bad_usage() {
        assert!(Args::parse(&s(&["--nope"]), &["input"]).is_err());
        assert!(Args::parse(&s(&["-x"]), &[]).is_err());
        assert!(Args::parse(&s(&["m", "--input"]), &["input"]).is_err());
        let a = Args::parse(&s(&["--runs", "-3"]), &["runs"]).unwrap();
        assert!(a.number("runs", 1).is_err());
    }

    #[test]
    fn help_and_double_dash() {
        let a = Args::parse(&s(&["-h", "--", "--input"]), &["input"]).unwrap();
        assert!(a.help);
        assert_eq!(a.positional, s(&["--input"]));
    }
}
