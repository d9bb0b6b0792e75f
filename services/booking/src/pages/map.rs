//! A map of the spaces drawn by Piazza itself, with no outside service: the stored coordinates
//! projected onto an SVG (equirectangular, longitudes narrowed by the cosine of the middle
//! latitude, so a few streets of Cremona keep their shape), fitted to the bounds with a margin.
//! Each space is a link to its page; a room without coordinates stands where its building does.

use crate::views::SpaceView;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Width and height of the drawing, in SVG units.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 400.0;
/// Room kept free around the markers, in SVG units, so labels and focus rings are not cut.
const MARGIN: f64 = 48.0;
/// How far apart markers at the same place are stacked, in SVG units (more than a line of
/// their names).
const SPREAD: f64 = 24.0;

/// A marker as the template draws it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Marker {
    pub id: Uuid,
    pub name: String,
    pub x: f64,
    pub y: f64,
    /// Whether the name is written to the left of the marker (on the drawing's right half), so
    /// names stay inside the drawing.
    pub label_left: bool,
}

/// What the template needs: the drawing's size and its markers (none: no map is shown).
#[derive(Debug, Clone, Serialize)]
pub struct MapView {
    pub width: f64,
    pub height: f64,
    pub markers: Vec<Marker>,
}

/// The coordinates of `space`, or of the nearest space above it that has some.
fn located(space: &SpaceView, by_id: &HashMap<Uuid, &SpaceView>) -> Option<(f64, f64)> {
    let mut current = Some(space);
    // The tree is acyclic (the use cases refuse a loop); the bound only guards against a bad row.
    for _ in 0..64 {
        let here = current?;
        if let (Some(lat), Some(lon)) = (here.latitude, here.longitude) {
            return Some((lat, lon));
        }
        current = here.parent_id.and_then(|p| by_id.get(&p).copied());
    }
    None
}

/// Projects `(latitude, longitude)` points into the drawing: equirectangular with the cosine
/// correction at the middle latitude, one scale for both axes, centred within the margin. A
/// single place (or several at one spot) is drawn in the middle.
pub fn project(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    if points.is_empty() {
        return Vec::new();
    }
    let (mut lat_min, mut lat_max) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut lon_min, mut lon_max) = (f64::INFINITY, f64::NEG_INFINITY);
    for &(lat, lon) in points {
        lat_min = lat_min.min(lat);
        lat_max = lat_max.max(lat);
        lon_min = lon_min.min(lon);
        lon_max = lon_max.max(lon);
    }
    let squeeze = ((lat_min + lat_max) / 2.0).to_radians().cos();
    let span_x = (lon_max - lon_min) * squeeze;
    let span_y = lat_max - lat_min;
    let (room_x, room_y) = (WIDTH - 2.0 * MARGIN, HEIGHT - 2.0 * MARGIN);
    let scale = match (span_x > 0.0, span_y > 0.0) {
        (false, false) => 0.0,
        (true, false) => room_x / span_x,
        (false, true) => room_y / span_y,
        (true, true) => (room_x / span_x).min(room_y / span_y),
    };
    // The drawing's centre is the bounds' centre: whatever room one axis leaves is shared out.
    let (mid_lat, mid_lon) = ((lat_min + lat_max) / 2.0, (lon_min + lon_max) / 2.0);
    points
        .iter()
        .map(|&(lat, lon)| {
            (
                WIDTH / 2.0 + (lon - mid_lon) * squeeze * scale,
                HEIGHT / 2.0 - (lat - mid_lat) * scale,
            )
        })
        .collect()
}

/// Markers at one spot (the rooms of a building) stacked in a short column around it, so each
/// can be seen and clicked and their names, all on one side, do not overlap.
fn spread(markers: &mut [Marker]) {
    let mut at: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, m) in markers.iter().enumerate() {
        // Rounded to the unit: markers closer than that are drawn on top of each other.
        at.entry((m.x.round() as i64, m.y.round() as i64))
            .or_default()
            .push(i);
    }
    for group in at.values().filter(|g| g.len() > 1) {
        let middle = (group.len() - 1) as f64 / 2.0;
        for (k, &i) in group.iter().enumerate() {
            markers[i].y += SPREAD * (k as f64 - middle);
        }
    }
}

/// The map of `shown`, placed by their own coordinates or their parents' (looked up in `all`).
pub fn map(shown: &[SpaceView], all: &[SpaceView]) -> MapView {
    let by_id: HashMap<Uuid, &SpaceView> = all.iter().chain(shown).map(|s| (s.id, s)).collect();
    let placed: Vec<(&SpaceView, (f64, f64))> = shown
        .iter()
        .filter_map(|s| located(s, &by_id).map(|p| (s, p)))
        .collect();
    let points: Vec<(f64, f64)> = placed.iter().map(|(_, p)| *p).collect();
    let mut markers: Vec<Marker> = placed
        .iter()
        .zip(project(&points))
        .map(|((space, _), (x, y))| Marker {
            id: space.id,
            name: space.name.clone(),
            x: (x * 10.0).round() / 10.0,
            y: (y * 10.0).round() / 10.0,
            label_left: x > WIDTH / 2.0,
        })
        .collect();
    spread(&mut markers);
    MapView {
        width: WIDTH,
        height: HEIGHT,
        markers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6
    }

    #[test]
    fn a_single_place_is_drawn_in_the_middle() {
        let drawn = project(&[(45.1335, 10.0227)]);
        assert!(close(drawn[0], (WIDTH / 2.0, HEIGHT / 2.0)), "{drawn:?}");
        let same = project(&[(45.1, 10.0), (45.1, 10.0)]);
        assert!(close(same[1], (WIDTH / 2.0, HEIGHT / 2.0)), "{same:?}");
    }

    #[test]
    fn north_is_up_east_is_right_and_the_bounds_fill_the_drawing_within_the_margin() {
        // Cathedral square (south-west) and Sant'Agostino (north-east), roughly.
        let drawn = project(&[(45.1334, 10.0244), (45.1380, 10.0200), (45.1350, 10.0300)]);
        let (south, north, east) = (drawn[0], drawn[1], drawn[2]);
        assert!(north.1 < south.1, "north is higher up: {drawn:?}");
        assert!(
            east.0 > south.0 && south.0 > north.0,
            "east is to the right"
        );
        let xs: Vec<f64> = drawn.iter().map(|p| p.0).collect();
        let ys: Vec<f64> = drawn.iter().map(|p| p.1).collect();
        let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // The wider axis touches the margins; nothing falls outside them.
        let touches_x =
            (min(&xs) - MARGIN).abs() < 1e-6 && (max(&xs) - (WIDTH - MARGIN)).abs() < 1e-6;
        let touches_y =
            (min(&ys) - MARGIN).abs() < 1e-6 && (max(&ys) - (HEIGHT - MARGIN)).abs() < 1e-6;
        assert!(touches_x || touches_y, "{drawn:?}");
        assert!(min(&xs) >= MARGIN - 1e-6 && max(&xs) <= WIDTH - MARGIN + 1e-6);
        assert!(min(&ys) >= MARGIN - 1e-6 && max(&ys) <= HEIGHT - MARGIN + 1e-6);
    }

    #[test]
    fn a_degree_of_longitude_is_narrowed_by_the_cosine_of_the_latitude() {
        // A square of one hundredth of a degree at 60° N is half as wide as it is tall.
        let drawn = project(&[(60.0, 10.0), (60.01, 10.01)]);
        let width = drawn[1].0 - drawn[0].0;
        let height = drawn[0].1 - drawn[1].1;
        let cos = (60.005f64).to_radians().cos();
        assert!((width / height - cos).abs() < 1e-6, "{width} / {height}");
    }

    fn space(name: &str, parent: Option<Uuid>, at: Option<(f64, f64)>) -> SpaceView {
        let mut view: SpaceView = serde_json::from_value(serde_json::json!({
            "id": Uuid::now_v7(), "parent_id": parent, "name": name, "building": "B",
            "address": "A", "kind": "room", "capacity": 10, "accessibility": [], "equipment": [],
            "time_zone": "Europe/Rome", "opening_hours": [], "status": "open", "funding": null,
            "latitude": null, "longitude": null, "setup_minutes": 0, "teardown_minutes": 0,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        view.latitude = at.map(|p| p.0);
        view.longitude = at.map(|p| p.1);
        view
    }

    #[test]
    fn rooms_without_coordinates_stand_around_their_building_and_others_are_left_out() {
        let building = space("Palazzo", None, Some((45.1335, 10.0227)));
        let floor = space("Piano", Some(building.id), None);
        let room = space("Sala", Some(floor.id), None);
        let nowhere = space("Altrove", None, None);
        let all = vec![
            building.clone(),
            floor.clone(),
            room.clone(),
            nowhere.clone(),
        ];
        let drawn = map(&[room.clone(), nowhere], &all);
        assert_eq!(drawn.markers.len(), 1);
        assert_eq!(drawn.markers[0].name, "Sala");
        assert!(close(
            (drawn.markers[0].x, drawn.markers[0].y),
            (WIDTH / 2.0, HEIGHT / 2.0)
        ));
        // Two rooms of one building are spread apart, both on the drawing.
        let drawn = map(&[floor, room], &all);
        assert_eq!(drawn.markers.len(), 2);
        assert!((drawn.markers[0].y - drawn.markers[1].y).abs() >= SPREAD);
    }
}
