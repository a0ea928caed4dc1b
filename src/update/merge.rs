//! What happens to one file in an update: the three-way decision between what was generated
//! before (the base), what the user has now, and what archpat generates now.
//!
//! Conflicts are written into the file with diff3-style markers (the form `git merge` writes and
//! editors resolve), because a `.rej` file beside an edited one is easy to miss and cannot be
//! resolved in place. A conflict that has no text to mark (a file the user deleted and the update
//! changes, or one the user edited and the new pattern no longer generates) leaves the file as it is.

use super::record::digest;

/// What was generated before at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// Regenerated from the record and identical to what was written.
    Known(String),
    /// Written before (its hash is recorded), but this archpat regenerates it differently.
    Unknown { sha256: String },
    /// Not generated before.
    Absent,
}

impl Base {
    /// Whether `text` (`None`: no file) is what was generated before; for an unknown base, by
    /// its recorded hash.
    fn is(&self, text: Option<&str>) -> bool {
        match self {
            Base::Known(base) => text == Some(base.as_str()),
            Base::Unknown { sha256 } => text.is_some_and(|t| &digest(t) == sha256),
            Base::Absent => text.is_none(),
        }
    }
}

/// The decision for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A new generated file: written.
    Add,
    /// The user never edited it: replaced by the new version.
    Replace,
    /// Edited by the user and changed by the update in other lines: both kept.
    Merge,
    /// The user's version stays; the update does not change this file.
    Keep,
    /// Not generated any more and never edited: removed.
    Remove,
    /// Both changed it in the same place (or it cannot be told apart): `why` says which.
    Conflict { why: &'static str },
}

/// One file's decision, and the text to write when there is any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    pub write: Option<String>,
}

impl Decision {
    fn none(action: Action) -> Option<Decision> {
        Some(Decision {
            action,
            write: None,
        })
    }

    fn with(action: Action, text: String) -> Option<Decision> {
        Some(Decision {
            action,
            write: Some(text),
        })
    }
}

/// Decides one path. `None`: nothing to do or say (already up to date, or a file archpat never
/// wrote and does not write now).
///
/// A user file with CRLF line endings where archpat writes LF (a Windows checkout with
/// `core.autocrlf`) is compared and merged as LF, and what is written keeps the user's CRLF: line
/// endings alone are not an edit.
pub fn decide(base: &Base, user: Option<&str>, new: Option<&str>) -> Option<Decision> {
    let crlf = user.is_some_and(|u| u.contains("\r\n")) && !new.is_some_and(|n| n.contains('\r'));
    if !crlf {
        return decide_lf(base, user, new);
    }
    let lf = user.map(|u| u.replace("\r\n", "\n"));
    let mut decision = decide_lf(base, lf.as_deref(), new)?;
    decision.write = decision.write.map(|t| t.replace('\n', "\r\n"));
    Some(decision)
}

fn decide_lf(base: &Base, user: Option<&str>, new: Option<&str>) -> Option<Decision> {
    let user_is_base = base.is(user);
    let new_is_base = base.is(new);
    let Some(new) = new else {
        return match (base, user) {
            (Base::Absent, _) | (_, None) => None,
            _ if user_is_base => Decision::none(Action::Remove),
            _ => Decision::none(Action::Conflict {
                why: "you edited it and the pattern no longer generates it; kept as it is",
            }),
        };
    };
    if user == Some(new) {
        return None;
    }
    let Some(user) = user else {
        return match base {
            Base::Absent => Decision::with(Action::Add, new.to_string()),
            _ if new_is_base => None,
            _ => Decision::none(Action::Conflict {
                why: "you deleted it and the update changes it; not written",
            }),
        };
    };
    if user_is_base {
        return Decision::with(Action::Replace, new.to_string());
    }
    if new_is_base {
        return Decision::none(Action::Keep);
    }
    match base {
        Base::Known(base) => match three_way(base, user, new) {
            Ok(merged) if merged == user => None,
            Ok(merged) => Decision::with(Action::Merge, merged),
            Err(marked) => Decision::with(
                Action::Conflict {
                    why: "you and the update changed the same lines; resolve the markers",
                },
                marked,
            ),
        },
        Base::Unknown { .. } => Decision::with(
            Action::Conflict {
                why: "you edited it and this archpat cannot regenerate what it was made from; \
                      the whole file is marked",
            },
            three_way("", user, new).unwrap_or_else(|marked| marked),
        ),
        Base::Absent => Decision::with(
            Action::Conflict {
                why: "you added a file the update now generates; the whole file is marked",
            },
            three_way("", user, new).unwrap_or_else(|marked| marked),
        ),
    }
}

/// A line-based three-way merge; `Err` holds the text with conflict markers.
fn three_way(base: &str, user: &str, new: &str) -> Result<String, String> {
    let mut options = diffy::MergeOptions::new();
    options.set_conflict_style(diffy::ConflictStyle::Diff3);
    options
        .merge(base, user, new)
        .map_err(|marked| label(&marked))
}

/// Names the sides of each conflict the way the user thinks of them.
fn label(marked: &str) -> String {
    let mut out = String::with_capacity(marked.len());
    for line in marked.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let renamed = match body {
            "<<<<<<< ours" => "<<<<<<< yours",
            "||||||| original" => "||||||| generated before",
            ">>>>>>> theirs" => ">>>>>>> archpat update",
            other => other,
        };
        out.push_str(renamed);
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "a\nb\nc\nd\ne\n";

    fn known() -> Base {
        Base::Known(BASE.into())
    }

    #[test]
    fn an_untouched_file_is_replaced() {
        let d = decide(&known(), Some(BASE), Some("a\nB\nc\nd\ne\n")).unwrap();
        assert_eq!(d.action, Action::Replace);
        assert_eq!(d.write.as_deref(), Some("a\nB\nc\nd\ne\n"));
    }

    #[test]
    fn edits_in_other_lines_are_merged() {
        let d = decide(
            &known(),
            Some("a\nb\nc\nd\nE (mine)\n"),
            Some("A (new)\nb\nc\nd\ne\n"),
        )
        .unwrap();
        assert_eq!(d.action, Action::Merge);
        assert_eq!(d.write.as_deref(), Some("A (new)\nb\nc\nd\nE (mine)\n"));
    }

    #[test]
    fn edits_of_the_same_line_are_marked_with_both_sides_and_the_base() {
        let d = decide(
            &known(),
            Some("a\nmine\nc\nd\ne\n"),
            Some("a\nnew\nc\nd\ne\n"),
        )
        .unwrap();
        assert!(matches!(d.action, Action::Conflict { .. }));
        assert_eq!(
            d.write.unwrap(),
            "a\n<<<<<<< yours\nmine\n||||||| generated before\nb\n=======\nnew\n>>>>>>> archpat update\nc\nd\ne\n"
        );
    }

    #[test]
    fn a_file_the_update_does_not_change_keeps_the_users_version() {
        let d = decide(&known(), Some("mine\n"), Some(BASE)).unwrap();
        assert_eq!(
            d,
            Decision {
                action: Action::Keep,
                write: None
            }
        );
    }

    #[test]
    fn new_files_are_added_and_files_no_longer_generated_go_only_if_untouched() {
        assert_eq!(
            decide(&Base::Absent, None, Some("x\n")).unwrap().action,
            Action::Add
        );
        assert_eq!(
            decide(&known(), Some(BASE), None).unwrap().action,
            Action::Remove
        );
        let kept = decide(&known(), Some("mine\n"), None).unwrap();
        assert!(matches!(kept.action, Action::Conflict { .. }));
        assert_eq!(kept.write, None);
    }

    #[test]
    fn files_archpat_never_wrote_are_not_touched() {
        assert_eq!(decide(&Base::Absent, Some("user's own\n"), None), None);
    }

    #[test]
    fn a_deleted_file_stays_deleted_unless_the_update_changes_it() {
        assert_eq!(decide(&known(), None, Some(BASE)), None);
        let d = decide(&known(), None, Some("changed\n")).unwrap();
        assert!(matches!(d.action, Action::Conflict { .. }));
        assert_eq!(d.write, None);
    }

    #[test]
    fn without_a_regenerable_base_the_hash_still_tells_an_untouched_file() {
        let base = Base::Unknown {
            sha256: digest(BASE),
        };
        assert_eq!(
            decide(&base, Some(BASE), Some("new\n")).unwrap().action,
            Action::Replace
        );
        let d = decide(&base, Some("mine\n"), Some("new\n")).unwrap();
        assert!(matches!(d.action, Action::Conflict { .. }));
        let text = d.write.unwrap();
        assert!(text.contains("mine\n") && text.contains("new\n"), "{text}");
    }

    #[test]
    fn a_file_the_user_added_that_the_update_generates_is_marked() {
        let d = decide(&Base::Absent, Some("mine\n"), Some("new\n")).unwrap();
        assert!(matches!(d.action, Action::Conflict { .. }));
        assert!(d.write.unwrap().contains("<<<<<<< yours"));
    }

    #[test]
    fn crlf_line_endings_are_not_an_edit_and_are_kept() {
        let crlf = |t: &str| t.replace('\n', "\r\n");
        let d = decide(&known(), Some(&crlf(BASE)), Some("a\nB\nc\nd\ne\n")).unwrap();
        assert_eq!(d.action, Action::Replace);
        assert_eq!(d.write.as_deref(), Some("a\r\nB\r\nc\r\nd\r\ne\r\n"));
        let d = decide(
            &known(),
            Some(&crlf("a\nb\nc\nd\nE (mine)\n")),
            Some("A (new)\nb\nc\nd\ne\n"),
        )
        .unwrap();
        assert_eq!(d.action, Action::Merge);
        assert_eq!(d.write.unwrap(), crlf("A (new)\nb\nc\nd\nE (mine)\n"));
        assert_eq!(decide(&known(), Some(&crlf(BASE)), Some(BASE)), None);
    }

    #[test]
    fn already_up_to_date_is_nothing_to_do() {
        assert_eq!(decide(&known(), Some("same\n"), Some("same\n")), None);
    }
}
