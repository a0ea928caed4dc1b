//! Asking for parameter values, for `archpat new` in a terminal. Works over any reader and
//! writer so it is tested without one; the caller decides whether a person is there.

use std::io::{BufRead, Write};

use crate::catalog::display_value;
use crate::loader::Definition;

/// Asks for every parameter not already in `sets` (`name=value` texts) and returns `sets` with
/// the answers added. An empty answer keeps the default; a bad one is asked again.
pub fn complete_sets(
    definition: &Definition,
    sets: &[String],
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> std::io::Result<Vec<String>> {
    let mut result = sets.to_vec();
    let given: Vec<&str> = sets
        .iter()
        .filter_map(|s| s.split_once('=').map(|(n, _)| n.trim()))
        .collect();
    for (name, spec) in definition.parameters() {
        if given.contains(&name) {
            continue;
        }
        let default = spec.default.as_ref().map(display_value).unwrap_or_default();
        let choices = if spec.choices.is_empty() {
            String::new()
        } else {
            let c: Vec<String> = spec.choices.iter().map(display_value).collect();
            format!(" [{}]", c.join("/"))
        };
        loop {
            if !spec.help.is_empty() {
                writeln!(output, "{}", spec.help)?;
            }
            write!(output, "{name}{choices} ({default}): ")?;
            output.flush()?;
            let mut line = String::new();
            if input.read_line(&mut line)? == 0 {
                return Ok(result);
            }
            let answer = line.trim();
            if answer.is_empty() {
                break;
            }
            match spec.parse_text(answer) {
                Ok(_) => {
                    result.push(format!("{name}={answer}"));
                    break;
                }
                Err(expected) => writeln!(output, "expected {expected}")?,
            }
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATTERN: &str = "id: p\ntitle: P\nsummary: s\nparameters:\n  size: { type: integer, default: 2, min: 1, max: 3, help: How many. }\n  fast: { type: boolean, default: false }\n  name: { type: string, default: x }\ncomponents:\n  - { id: fn, kind: lambda }\n";

    #[test]
    fn asks_for_unset_parameters_and_retries_bad_answers() {
        let def = crate::loader::load_str("p.yaml", PATTERN).unwrap();
        let mut input = std::io::Cursor::new("9\n3\n\n");
        let mut output = Vec::new();
        let sets = complete_sets(&def, &["name=y".to_string()], &mut input, &mut output).unwrap();
        assert_eq!(sets, vec!["name=y".to_string(), "size=3".to_string()]);
        let shown = String::from_utf8(output).unwrap();
        assert!(
            shown.contains("size (2): expected a number from 1 to 3, got 9"),
            "{shown}"
        );
        assert!(
            shown.contains("fast [true/false]") || shown.contains("fast (false): "),
            "{shown}"
        );
        def.resolve(&sets).unwrap();
    }

    #[test]
    fn end_of_input_keeps_defaults() {
        let def = crate::loader::load_str("p.yaml", PATTERN).unwrap();
        let sets =
            complete_sets(&def, &[], &mut std::io::Cursor::new(""), &mut Vec::new()).unwrap();
        assert!(sets.is_empty());
    }
}
