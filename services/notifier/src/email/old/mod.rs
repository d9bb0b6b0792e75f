//! The emails as they were written before templates (`format!` strings), kept only to prove the
//! templates write the same emails. Removed once proven.
#![allow(dead_code, clippy::all)]

pub mod body;
pub mod changes;
pub mod digest;
pub mod registrations;
pub mod templates;

pub use super::{
    dates, message,
    message::{Attachment, Rendered},
};

#[cfg(test)]
mod same_emails {
    use super::{
        changes as old_changes, digest as old_digest, registrations as old_reg, templates as old,
    };
    use crate::email::{
        EmailTemplates, Rendered, bookings, changes, digest, parts::Footer, registrations,
        subscribers,
    };
    use piazza_shared::contracts::{
        Language,
        booking::{BookingRejected, BookingSummary},
        event::EventSummary,
    };
    use serde_json::json;

    fn event(description: &str, place: bool) -> EventSummary {
        serde_json::from_value(json!({
            "event_id": "0190a0b0-0000-7000-8000-000000000001",
            "title": "Jazz & <blues> 'al' \"Duomo\"",
            "description": description,
            "categories": ["music", "dance"],
            "age_min": 14, "age_max": 19,
            "time_zone": "Europe/Rome",
            "occurrences": [
                {"occurrence_id": "0190a0b0-0000-7000-8000-000000000002", "starts_at": "2027-03-02T17:00:00Z", "ends_at": "2027-03-02T19:00:00Z"},
                {"occurrence_id": "0190a0b0-0000-7000-8000-000000000003", "starts_at": "2027-03-09T17:00:00Z", "ends_at": "2027-03-09T19:00:00Z"}
            ],
            "place": if place { json!({"space_id": "0190a0b0-0000-7000-8000-000000000004", "name": "Sala <A>", "building": "Palazzo & Co", "address": "Via Roma 1"}) } else { json!(null) },
        }))
        .unwrap()
    }

    fn footer() -> Footer {
        Footer {
            manage: "http://piazza.test/subscriptions/manage?token=a&b=c".into(),
            unsubscribe: "http://piazza.test/subscriptions/unsubscribe?token=x'y".into(),
        }
    }

    fn old_footer() -> old::Footer {
        let f = footer();
        old::Footer {
            manage: f.manage,
            unsubscribe: f.unsubscribe,
        }
    }

    /// The HTML as a browser reads it: newlines between tags and the spelling of `'` do not
    /// change what is shown.
    fn html(text: &str) -> String {
        text.replace('\n', "").replace("&#39;", "'")
    }

    fn same(old: Rendered, new: anyhow::Result<Rendered>) {
        let new = new.unwrap();
        assert_eq!(old.to, new.to);
        assert_eq!(old.subject, new.subject);
        assert_eq!(old.text, new.text, "text of {}", old.subject);
        assert_eq!(html(&old.html), html(&new.html), "html of {}", old.subject);
        assert_eq!(old.unsubscribe, new.unsubscribe);
        assert_eq!(old.attachment.is_some(), new.attachment.is_some());
    }

    const LANGUAGES: [Language; 2] = [Language::It, Language::En];

    #[test]
    fn confirmations_events_and_bookings_read_as_before() {
        let t = EmailTemplates::new().unwrap();
        for l in LANGUAGES {
            for guardian in [false, true] {
                same(
                    old::confirm_subscription(
                        l,
                        "g@x.it",
                        "a<b>@x.it",
                        "http://p.test/c?token=1&x=2",
                        guardian,
                    ),
                    subscribers::confirm_subscription(
                        &t,
                        l,
                        "g@x.it",
                        "a<b>@x.it",
                        "http://p.test/c?token=1&x=2",
                        guardian,
                    ),
                );
            }
            for (description, place) in [("", false), ("Una sera\ncon <musica> & 'amici'", true)] {
                let e = event(description, place);
                same(
                    old::event_published(l, "a@x.it", &e, "http://p.test/events/1", &old_footer()),
                    subscribers::event_published(
                        &t,
                        l,
                        "a@x.it",
                        &e,
                        "http://p.test/events/1",
                        &footer(),
                    ),
                );
            }
        }
        let zone = chrono_tz::Europe::Rome;
        let booking: BookingSummary = serde_json::from_value(json!({
            "booking_id": "0190a0b0-0000-7000-8000-000000000005",
            "space_id": "0190a0b0-0000-7000-8000-000000000004",
            "title": "Prove <coro> & co", "starts_at": "2027-03-02T17:00:00Z", "ends_at": "2027-03-02T19:00:00Z",
            "occurrences": 3
        }))
        .unwrap();
        for (approved, reason) in [(true, None), (false, Some("lavori <urgenti>"))] {
            same(
                old::booking_decided("o@x.it", &booking, approved, reason, zone),
                bookings::booking_decided(&t, "o@x.it", &booking, approved, reason, zone),
            );
        }
        let rejected: BookingRejected = serde_json::from_value(json!({
            "space_id": "0190a0b0-0000-7000-8000-000000000004", "reason": "occupata & <chiusa>",
            "title": "Prove", "starts_at": "2027-03-02T17:00:00Z", "ends_at": "2027-03-02T19:00:00Z"
        }))
        .unwrap();
        same(
            old::booking_rejected("o@x.it", &rejected, zone),
            bookings::booking_rejected(&t, "o@x.it", &rejected, zone),
        );
    }

    #[test]
    fn digests_registrations_and_changes_read_as_before() {
        let t = EmailTemplates::new().unwrap();
        let e = event("d", true);
        for l in LANGUAGES {
            let dates = vec!["martedì 2 marzo".to_string(), "9 <marzo>".to_string()];
            same(
                old_digest::weekly(
                    l,
                    "a@x.it",
                    &[old_digest::Entry {
                        event: &e,
                        dates: dates.clone(),
                        url: "http://p.test/e".into(),
                    }],
                    "http://p.test/calendar.ics",
                    &old_footer(),
                ),
                digest::weekly(
                    &t,
                    l,
                    "a@x.it",
                    &[digest::Entry {
                        event: &e,
                        dates,
                        url: "http://p.test/e".into(),
                    }],
                    "http://p.test/calendar.ics",
                    &footer(),
                ),
            );
            for (name, cancel) in [
                ("", None),
                ("Ada <L>", Some("http://s.test/cancel?t=1&u=2")),
            ] {
                let old_who = old_reg::Registrant {
                    language: l,
                    to: "a@x.it",
                    name,
                    event: &e,
                    event_url: "http://p.test/e",
                    cancel_url: cancel,
                };
                let who = registrations::Registrant {
                    templates: &t,
                    language: l,
                    to: "a@x.it",
                    name,
                    event: &e,
                    event_url: "http://p.test/e",
                    cancel_url: cancel,
                };
                for (old_news, news) in [
                    (old_reg::News::Confirmed, registrations::News::Confirmed),
                    (old_reg::News::Promoted, registrations::News::Promoted),
                    (
                        old_reg::News::Waitlisted { position: Some(3) },
                        registrations::News::Waitlisted { position: Some(3) },
                    ),
                    (
                        old_reg::News::Waitlisted { position: None },
                        registrations::News::Waitlisted { position: None },
                    ),
                ] {
                    same(
                        old_reg::registration(&old_who, old_news, None),
                        registrations::registration(&who, news, None),
                    );
                }
                let file = || crate::email::Attachment {
                    filename: "e.ics".into(),
                    content_type: "text/calendar".into(),
                    body: "x".into(),
                };
                same(
                    old_reg::reminder(&old_who, "2 marzo", file()),
                    registrations::reminder(&who, "2 marzo", file()),
                );
            }
            let of = old_footer();
            let f = footer();
            for registrant in [false, true] {
                let (old_audience, audience) = if registrant {
                    (
                        old_changes::Audience::Registrant {
                            cancel_url: Some("http://s.test/c?a=1&b=2"),
                        },
                        changes::Audience::Registrant {
                            cancel_url: Some("http://s.test/c?a=1&b=2"),
                        },
                    )
                } else {
                    (
                        old_changes::Audience::Subscriber(&of),
                        changes::Audience::Subscriber(&f),
                    )
                };
                for (now, before, place_before) in [
                    (
                        vec!["a".to_string()],
                        vec!["b".to_string()],
                        Some("Sala B".to_string()),
                    ),
                    (vec![], vec![], None),
                ] {
                    let old_move = old_changes::Move {
                        now: now.clone(),
                        before: before.clone(),
                        place_now: Some("Sala <A>".into()),
                        place_before: place_before.clone(),
                    };
                    let moved = changes::Move {
                        now,
                        before,
                        place_now: Some("Sala <A>".into()),
                        place_before,
                    };
                    same(
                        old_changes::rescheduled(
                            l,
                            "a@x.it",
                            &e,
                            &old_move,
                            "http://p.test/e",
                            &old_audience,
                        ),
                        changes::rescheduled(
                            &t,
                            l,
                            "a@x.it",
                            &e,
                            &moved,
                            "http://p.test/e",
                            &audience,
                        ),
                    );
                }
                for whole in [false, true] {
                    for reason in ["", "pioggia & <vento>"] {
                        let off = vec!["2 marzo".to_string()];
                        same(
                            old_changes::cancelled(
                                l,
                                "a@x.it",
                                &e,
                                &off,
                                whole,
                                reason,
                                &old_audience,
                            ),
                            changes::cancelled(
                                &t,
                                l,
                                "a@x.it",
                                &e,
                                &changes::CalledOff {
                                    dates: &off,
                                    whole,
                                    reason,
                                },
                                &audience,
                            ),
                        );
                    }
                }
            }
        }
    }
}
