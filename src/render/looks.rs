//! What one diagram draws for each kind and group: archpat's glyph, or the user's icon when
//! `--icons` has one. Resolved once per diagram, so every renderer draws the same and each icon
//! file is read once.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::model::{Group, Pattern};

use super::glyph::{self, Glyph, Mark};
use super::icons::{Icon, IconSet};

/// The look of every kind and group kind a pattern uses.
#[derive(Debug, Clone, Default)]
pub struct Looks {
    kinds: BTreeMap<String, KindLook>,
    /// By the group's id.
    groups: BTreeMap<String, GroupLook>,
    /// Distinct icons in first-use order; a look's `icon` indexes this.
    pub icons: Vec<Arc<Icon>>,
    /// Kinds and groups drawn with the glyph although `--icons` was given, and why.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct KindLook {
    pub glyph: Glyph,
    pub icon: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct GroupLook {
    pub mark: Mark,
    /// For text-only renderers (DOT).
    pub text: Option<String>,
    /// The group's line colour.
    pub color: String,
    pub icon: Option<usize>,
}

impl Looks {
    pub fn new(pattern: &Pattern, icons: Option<&IconSet>) -> Looks {
        let catalog = Catalog::builtin();
        let mut looks = Looks::default();
        let mut by_path: BTreeMap<std::path::PathBuf, usize> = BTreeMap::new();
        let mut kinds: Vec<&str> = pattern.components().map(|c| c.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            let glyph = glyph::for_kind(kind);
            let icon = icons.and_then(|set| {
                looks.icon(set, &glyph.icons, &format!("kind `{kind}`"), &mut by_path)
            });
            looks
                .kinds
                .insert(kind.to_string(), KindLook { glyph, icon });
        }
        let mut warned_groups = std::collections::BTreeSet::new();
        for group in &pattern.groups {
            let Some(corner) = glyph::for_group(&group.kind, &group.properties) else {
                continue;
            };
            let stems = corner.icons.clone();
            let Some(kind) = catalog.groups.get(&group.kind) else {
                continue;
            };
            let color = kind.look(&group.properties).stroke;
            let icon = icons.and_then(|set| {
                let what = format!("group kind `{}`", group.kind);
                // One warning per group kind and stems, not per group.
                if set.find(&stems).is_none() && !warned_groups.insert(stems.clone()) {
                    return None;
                }
                looks.icon(set, &stems, &what, &mut by_path)
            });
            looks.groups.insert(
                group.id.clone(),
                GroupLook {
                    mark: corner.mark,
                    text: corner.text,
                    color,
                    icon,
                },
            );
        }
        looks
    }

    fn icon(
        &mut self,
        set: &IconSet,
        stems: &[String],
        what: &str,
        by_path: &mut BTreeMap<std::path::PathBuf, usize>,
    ) -> Option<usize> {
        if let Some(path) = set.find(stems)
            && let Some(&n) = by_path.get(path)
        {
            return Some(n);
        }
        match set.load(stems) {
            Ok(Some(icon)) => {
                let n = self.icons.len();
                by_path.insert(icon.path.clone(), n);
                self.icons.push(Arc::new(icon));
                Some(n)
            }
            Ok(None) => {
                let looked = if stems.is_empty() {
                    "archpat knows no icon file name for it".to_string()
                } else {
                    format!(
                        "looked for {}",
                        stems
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                self.warnings.push(format!(
                    "warning: no icon for {what} in `{}` ({looked}); drawing archpat's own glyph",
                    set.root().display()
                ));
                None
            }
            Err(why) => {
                let path = set.find(stems).map(|p| p.display().to_string());
                self.warnings.push(format!(
                    "warning: icon `{}` for {what} cannot be used: {why}; drawing archpat's own glyph",
                    path.unwrap_or_default()
                ));
                None
            }
        }
    }

    /// The look of a kind (a kind no component has still gets its glyph).
    pub fn kind(&self, kind: &str) -> KindLook {
        self.kinds.get(kind).cloned().unwrap_or_else(|| KindLook {
            glyph: glyph::for_kind(kind),
            icon: None,
        })
    }

    /// The corner icon of a group, if its kind has one.
    pub fn group(&self, group: &Group) -> Option<&GroupLook> {
        self.groups.get(&group.id)
    }

    pub fn icon_of(&self, n: Option<usize>) -> Option<&Icon> {
        n.and_then(|n| self.icons.get(n)).map(Arc::as_ref)
    }
}
