//! Walkthroughs: a pattern taught step by step, its diagram growing with each step. The pattern's
//! `walkthrough` section is the content; this module decides what is on the picture at each step
//! and hands that to one of three writers (plain or coloured text, Markdown, HTML). The interactive
//! pager belongs to the command line (`cli::pager`): nothing here knows about terminals.

mod html;
mod markdown;
mod text;

use std::collections::HashSet;

use crate::model::{Component, Edge, Pattern, Step};
use crate::render::image::ImageError;

/// The forms a walkthrough is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkFormat {
    Text,
    Markdown,
    Html,
}

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error(
        "pattern `{pattern}` ({file}) has no `walkthrough` section; docs/patterns.md (\"Walkthrough\") shows how to write one"
    )]
    NoWalkthrough { pattern: String, file: String },
    #[error(
        "pattern `{pattern}` has {steps} steps, so `--step {step}` is out of range (use 1 to {steps})"
    )]
    StepOutOfRange {
        pattern: String,
        step: usize,
        steps: usize,
    },
    #[error("cannot run the interactive walkthrough in this terminal")]
    Terminal(#[source] std::io::Error),
}

/// One step placed in its pattern: what it adds, and everything on the picture once it is done.
#[derive(Debug, Clone)]
pub(crate) struct Stage<'a> {
    /// 1-based.
    pub number: usize,
    pub total: usize,
    pub step: &'a Step,
    /// Components introduced in steps 1..=number, as far as they survived the parameters' `when`.
    pub visible: HashSet<String>,
    /// The components this step introduces, in the step's order.
    pub added: Vec<&'a Component>,
    /// The connections this step introduces that the resolved pattern has.
    pub edges: Vec<Edge<'a>>,
}

impl Stage<'_> {
    pub fn is_new(&self, id: &str) -> bool {
        self.added.iter().any(|c| c.id == id)
    }

    pub fn is_last(&self) -> bool {
        self.number == self.total
    }

    pub fn view(&self) -> crate::render::mermaid::View {
        crate::render::mermaid::View {
            visible: Some(self.visible.clone()),
            highlight: self.added.iter().map(|c| c.id.clone()).collect(),
            for_image: false,
            glyphs: false,
        }
    }
}

/// Every step of the pattern's walkthrough, in order.
pub(crate) fn stages(pattern: &Pattern) -> Vec<Stage<'_>> {
    let total = pattern.walkthrough.len();
    let mut visible = HashSet::new();
    let mut out = Vec::with_capacity(total);
    for (i, step) in pattern.walkthrough.iter().enumerate() {
        let added: Vec<&Component> = step
            .adds
            .iter()
            .filter_map(|id| pattern.component(id))
            .collect();
        visible.extend(added.iter().map(|c| c.id.clone()));
        // A step names a connection by its ends; a `when` may have removed the connection itself.
        let edges = step
            .connections
            .iter()
            .flat_map(|(from, to)| {
                pattern
                    .edges()
                    .filter(move |e| &e.from.id == from && &e.to.id == to)
            })
            .collect();
        out.push(Stage {
            number: i + 1,
            total,
            step,
            visible: visible.clone(),
            added,
            edges,
        });
    }
    out
}

/// The commands that take a learner from the last step to a deployable project and a comparison.
/// They name the pattern the way the user did, with the same `--set` values, so they work for a
/// pattern file as well as for a built-in.
pub(crate) fn try_it(pattern_arg: &str, sets: &[String]) -> Vec<String> {
    let mut tail = String::new();
    for set in sets {
        tail.push_str(" --set ");
        tail.push_str(&shell_quote(set));
    }
    let name = shell_quote(pattern_arg);
    let mut commands: Vec<String> = crate::scaffold::Iac::ALL
        .iter()
        .map(|iac| format!("archpat new {name} --iac {}{tail}", iac.target()))
        .collect();
    commands.push(format!("archpat compare {name}"));
    commands
}

/// A word as a POSIX shell reads it: unchanged when it has nothing the shell would interpret.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// What every writer needs besides the stages: the pattern and how the user named it.
pub(crate) struct Document<'a> {
    pub pattern: &'a Pattern,
    pub try_it: Vec<String>,
}

/// How a walkthrough is made, besides the pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Only this step (1-based); every step when `None`.
    pub step: Option<usize>,
    /// How the user named the pattern (an id or a path), for the closing "try it" commands;
    /// the pattern's id when `None`.
    pub named_as: Option<String>,
    /// The `name=value` settings the pattern was resolved with, repeated in those commands.
    pub sets: Vec<String>,
}

/// A pattern's walkthrough: every step placed in the pattern, ready to be written in any format
/// ([`Walkthrough::render`]) or shown a page at a time ([`Walkthrough::page`]).
pub struct Walkthrough<'a> {
    doc: Document<'a>,
    stages: Vec<Stage<'a>>,
    step: Option<usize>,
}

impl Walkthrough<'_> {
    /// How many steps the pattern's walkthrough has.
    pub fn steps(&self) -> usize {
        self.stages.len()
    }

    /// The step asked for (1-based), if one was.
    pub fn step(&self) -> Option<usize> {
        self.step
    }

    /// The selected steps (all, or the one asked for) as a document.
    pub fn render(&self, format: WalkFormat) -> Result<String, ImageError> {
        let selected: Vec<&Stage> = match self.step {
            Some(n) => vec![&self.stages[n - 1]],
            None => self.stages.iter().collect(),
        };
        Ok(match format {
            WalkFormat::Text => {
                text::document(&self.doc, &selected, &text::Style::plain(), text::WIDTH)
            }
            WalkFormat::Markdown => markdown::document(&self.doc, &selected),
            WalkFormat::Html => html::document(&self.doc, &selected)?,
        })
    }

    /// Step `index` (0-based) as a page of text `width` columns wide, coloured with ANSI codes
    /// or plain, with its answer shown or hidden behind a prompt: what a pager shows.
    pub fn page(&self, index: usize, ansi: bool, width: usize, answer: bool) -> String {
        let style = if ansi {
            text::Style::ansi()
        } else {
            text::Style::plain()
        };
        text::page(&self.doc, &self.stages[index], &style, width, answer)
    }
}

/// Places every step of the pattern's walkthrough; fails when it has none, or when the step
/// asked for does not exist.
pub fn walkthrough<'a>(
    pattern: &'a Pattern,
    options: &Options,
) -> Result<Walkthrough<'a>, WalkError> {
    if pattern.walkthrough.is_empty() {
        return Err(WalkError::NoWalkthrough {
            pattern: pattern.id.clone(),
            file: pattern.source.clone(),
        });
    }
    let all = stages(pattern);
    if let Some(n) = options.step
        && !(1..=all.len()).contains(&n)
    {
        return Err(WalkError::StepOutOfRange {
            pattern: pattern.id.clone(),
            step: n,
            steps: all.len(),
        });
    }
    let named_as = options.named_as.as_deref().unwrap_or(&pattern.id);
    Ok(Walkthrough {
        doc: Document {
            pattern,
            try_it: try_it(named_as, &options.sets),
        },
        stages: all,
        step: options.step,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::library::Library;

    pub(crate) fn builtin(id: &str) -> Pattern {
        Library::new(Vec::new())
            .load(id)
            .expect("built-in loads")
            .resolve(&[])
            .expect("defaults resolve")
    }

    #[test]
    fn stages_accumulate_visible_components() {
        let p = builtin("serverless-web");
        let s = stages(&p);
        assert_eq!(s.len(), p.walkthrough.len());
        assert_eq!(s[0].visible.len(), 3);
        assert!(s[1].visible.contains("cdn") && s[1].visible.contains("api"));
        assert_eq!(s.last().unwrap().visible.len(), p.components().count());
        assert!(s[1].is_new("api") && !s[1].is_new("cdn"));
    }

    #[test]
    fn conditional_parts_drop_out_of_their_step() {
        let p = builtin("data-lake");
        let first = &stages(&p)[0];
        assert_eq!(first.added.len(), 1, "only the raw zone without Firehose");
        assert!(first.edges.is_empty());
    }

    /// Built-in content rules the loader does not enforce: every connection is taught exactly once,
    /// in the step that introduces its later end, so each step's diagram shows exactly what the
    /// steps so far have explained.
    #[test]
    fn builtins_teach_each_connection_when_both_ends_exist() {
        for entry in Library::new(Vec::new()).entries().unwrap() {
            let def = Library::new(Vec::new()).load(&entry.id).unwrap();
            let p = def.resolve(&[]).unwrap();
            let all = stages(&p);
            assert!(all.len() >= 5, "{}: at least 5 steps", p.id);
            for e in p.edges() {
                let taught: Vec<usize> = all
                    .iter()
                    .filter(|s| {
                        s.edges
                            .iter()
                            .any(|x| x.from.id == e.from.id && x.to.id == e.to.id)
                    })
                    .map(|s| s.number)
                    .collect();
                let due = all
                    .iter()
                    .find(|s| s.visible.contains(&e.from.id) && s.visible.contains(&e.to.id))
                    .map(|s| s.number);
                assert_eq!(
                    taught,
                    due.into_iter().collect::<Vec<_>>(),
                    "{}: {}->{}",
                    p.id,
                    e.from.id,
                    e.to.id
                );
            }
            for s in &all {
                assert!(
                    !s.added.is_empty() || !s.step.adds.is_empty(),
                    "{}: step {} adds nothing",
                    p.id,
                    s.number
                );
                let sentences = s.step.why.matches(". ").count() + 1;
                assert!(
                    (2..=6).contains(&sentences),
                    "{} step {}: {sentences} sentences",
                    p.id,
                    s.number
                );
                for field in [
                    &s.step.why,
                    &s.step.pitfall,
                    &s.step.question,
                    &s.step.answer,
                ] {
                    assert!(
                        !field.is_empty(),
                        "{} step {}: a field is empty",
                        p.id,
                        s.number
                    );
                }
                assert!(!s.step.topics.is_empty() && !s.step.practices.is_empty());
            }
        }
    }

    #[test]
    fn walkthrough_checks_the_step_and_renders_only_it() {
        let p = builtin("serverless-web");
        let all = walkthrough(&p, &Options::default()).unwrap();
        assert_eq!(all.steps(), p.walkthrough.len());
        let text = all.render(WalkFormat::Text).unwrap();
        assert!(text.contains("Step 1/") && text.contains("Step 2/"));
        assert!(text.contains("archpat new serverless-web --iac terraform"));
        let one = Options {
            step: Some(2),
            named_as: Some("my.yaml".into()),
            sets: vec!["x=1".into()],
        };
        let second = walkthrough(&p, &one).unwrap();
        let md = second.render(WalkFormat::Markdown).unwrap();
        assert!(md.contains("Step 2/") && !md.contains("Step 1/"));
        assert!(second.page(1, false, 80, false).starts_with("Step 2/"));
        let out_of_range = Options {
            step: Some(99),
            ..Options::default()
        };
        assert!(matches!(
            walkthrough(&p, &out_of_range),
            Err(WalkError::StepOutOfRange { step: 99, .. })
        ));
        let mut bare = p.clone();
        bare.walkthrough.clear();
        assert!(matches!(
            walkthrough(&bare, &Options::default()),
            Err(WalkError::NoWalkthrough { .. })
        ));
    }

    #[test]
    fn try_it_names_every_target_and_quotes_what_needs_it() {
        let commands = try_it("my patterns/x.yaml", &["multi_az=false".into()]);
        assert_eq!(
            commands,
            [
                "archpat new 'my patterns/x.yaml' --iac cloudformation --set multi_az=false",
                "archpat new 'my patterns/x.yaml' --iac terraform --set multi_az=false",
                "archpat new 'my patterns/x.yaml' --iac cdk --set multi_az=false",
                "archpat compare 'my patterns/x.yaml'",
            ]
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
