//! The containment tree of spaces (a floor and its rooms) and the one rule it carries: a live
//! booking holds its space and every space inside it, and may not meet a closure of its space,
//! of a space inside it or of a space above it. The rule is written here twice, once per place
//! it runs — [`SpaceTree`] walks the tree in Rust (placement, tree changes, closures, reports),
//! [`walk_sql`] in the database (availability, and the one-statement booking) — and nowhere
//! else.

use super::spaces;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Default, Clone)]
pub struct SpaceTree {
    parent: HashMap<Uuid, Option<Uuid>>,
}

impl SpaceTree {
    /// Reads every space's parent (the catalogue is small: hundreds of rows at most).
    pub async fn load(conn: &impl ConnectionTrait) -> Result<Self, DbErr> {
        let rows: Vec<(Uuid, Option<Uuid>)> = spaces::Entity::find()
            .select_only()
            .column(spaces::Column::Id)
            .column(spaces::Column::ParentId)
            .into_tuple()
            .all(conn)
            .await?;
        Ok(Self {
            parent: rows.into_iter().collect(),
        })
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (Uuid, Option<Uuid>)>) -> Self {
        Self {
            parent: pairs.into_iter().collect(),
        }
    }

    /// The same tree with `id` moved under `parent` (or to the top).
    pub fn moved(&self, id: Uuid, parent: Option<Uuid>) -> Self {
        let mut moved = self.clone();
        moved.parent.insert(id, parent);
        moved
    }

    /// Parents up to the root, nearest first.
    pub fn ancestors(&self, id: Uuid) -> Vec<Uuid> {
        let mut found = Vec::new();
        let mut current = self.parent.get(&id).copied().flatten();
        while let Some(parent) = current {
            if found.contains(&parent) || parent == id {
                break; // a cycle would be a bug elsewhere; never loop on it
            }
            found.push(parent);
            current = self.parent.get(&parent).copied().flatten();
        }
        found
    }

    /// Every space inside `id`, at any depth.
    pub fn descendants(&self, id: Uuid) -> Vec<Uuid> {
        let mut found = Vec::new();
        let mut frontier = vec![id];
        while let Some(current) = frontier.pop() {
            for (child, parent) in &self.parent {
                if *parent == Some(current) && *child != id && !found.contains(child) {
                    found.push(*child);
                    frontier.push(*child);
                }
            }
        }
        found
    }

    /// The space and everything inside it: what a booking of it holds.
    pub fn held_by(&self, id: Uuid) -> Vec<Uuid> {
        let mut spaces = vec![id];
        spaces.extend(self.descendants(id));
        spaces
    }

    /// The space, its ancestors and descendants: whose closures also close it.
    pub fn related(&self, id: Uuid) -> Vec<Uuid> {
        let mut spaces = self.held_by(id);
        spaces.extend(self.ancestors(id));
        spaces
    }
}

/// The rule in SQL: the `WITH RECURSIVE` prefix of a statement, defining `inside(id)` — the
/// space `space` and every space inside it, what a booking of it holds
/// ([`SpaceTree::held_by`]) — and `around(id)`, every space above it ([`SpaceTree::ancestors`]);
/// `inside` and `around` together are [`SpaceTree::related`], whose closures also close it.
/// `space` is the parameter as the statement writes it (`$1`, `$1::uuid`).
pub fn walk_sql(space: &str) -> String {
    format!(
        "WITH RECURSIVE inside(id) AS (
        SELECT {space}
      UNION
        SELECT s.id FROM spaces s JOIN inside i ON s.parent_id = i.id
    ), around(id) AS (
        SELECT parent_id FROM spaces WHERE id = {space} AND parent_id IS NOT NULL
      UNION
        SELECT s.parent_id FROM spaces s JOIN around a ON s.id = a.id WHERE s.parent_id IS NOT NULL
    )"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_floor_holds_its_rooms_and_a_room_sees_its_floor() {
        let (building, floor, room_a, room_b) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let tree = SpaceTree::from_pairs([
            (building, None),
            (floor, Some(building)),
            (room_a, Some(floor)),
            (room_b, Some(floor)),
        ]);
        let mut held = tree.held_by(floor);
        held.sort();
        let mut expected = vec![floor, room_a, room_b];
        expected.sort();
        assert_eq!(held, expected);
        assert_eq!(tree.ancestors(room_a), vec![floor, building]);
        assert!(!tree.held_by(room_a).contains(&room_b));
    }
}
