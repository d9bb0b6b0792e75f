//! From a delivery row to the email it stands for — or to nothing, when it should no longer go
//! out. This is where "an unsubscribe or a cancellation that lands before the send wins" is
//! decided: every row is checked against the subscriber, registration and event as they are
//! when its round is sent, not as they were when it was queued.

use super::round_data::{Round, uuid_at};
use crate::{
    db::{deliveries, registrations, subscribers},
    domain::{Kind, RegistrationStatus, SubscriberStatus, takes_place_in},
    email::{
        EmailTemplates, Rendered, accounts, bookings, calendar,
        changes::{self, Audience, CalledOff, Move},
        dates::when,
        digest::{self, Entry},
        ideas, notices,
        parts::{Footer, place_line},
        registrations::{self as registration_emails, News, Registrant},
        subscribers as subscriber_emails,
    },
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::contracts::{
    Language,
    account::PasswordLinkIssued,
    booking::{BookingRejected, BookingSummary},
    event::{EventSummary, Occurrence, Place},
    idea::{IdeaDecided, IdeaVerificationRequested},
    notice::Notice,
};
use uuid::Uuid;

/// How the sender sees one row: the email, or why it no longer goes.
pub type Composed = Result<Option<Rendered>, anyhow::Error>;

/// The email for `row`, or `None` when it should no longer go out.
pub fn compose(state: &AppState, round: &Round, row: &deliveries::Model) -> Composed {
    if round.suppressed.contains(&row.recipient) {
        return Ok(None);
    }
    let kind =
        Kind::parse(&row.kind).ok_or_else(|| anyhow::anyhow!("unknown kind {}", row.kind))?;
    let language = Language::parse(&row.language).unwrap_or_default();
    let templates = &state.emails;
    let subscriber = row.subscriber_id.and_then(|id| round.subscribers.get(&id));
    // Emails sent because someone subscribed go only while they are subscribed.
    let active = subscriber.filter(|s| s.status() == SubscriberStatus::Active);
    let footer = |s: &subscribers::Model| Footer {
        manage: state.links.manage(s.id, &s.email),
        unsubscribe: state.links.unsubscribe(s.id, &s.email),
    };
    let registration =
        uuid_at(&row.context, "registration_id").and_then(|id| round.registrations.get(&id));
    let page = |event: &EventSummary| state.links.page(&format!("/events/{}", event.event_id));
    match kind {
        Kind::ConfirmSubscription => {
            let Some(subscriber) = subscriber.filter(|s| s.status() == SubscriberStatus::Pending)
            else {
                return Ok(None);
            };
            let for_guardian = subscriber.guardian_email.as_deref() == Some(row.recipient.as_str());
            let url = state.links.confirm(subscriber.id, &subscriber.email);
            Ok(Some(subscriber_emails::confirm_subscription(
                templates,
                language,
                &row.recipient,
                &subscriber.email,
                &url,
                for_guardian,
            )?))
        }
        Kind::EventPublished => {
            let Some(subscriber) = active else {
                return Ok(None);
            };
            let Some(event) = round.live_event(row.subject_id) else {
                return Ok(None);
            };
            Ok(Some(subscriber_emails::event_published(
                templates,
                language,
                &row.recipient,
                event,
                &page(event),
                &footer(subscriber),
            )?))
        }
        Kind::WeeklyDigest => {
            let Some(subscriber) = active else {
                return Ok(None);
            };
            let (start, end) = window(&row.context)?;
            let zone_dates = |event: &EventSummary| -> Vec<String> {
                let zone = event.time_zone.parse().unwrap_or(chrono_tz::Europe::Rome);
                event
                    .occurrences
                    .iter()
                    .filter(|o| o.starts_at >= start && o.starts_at < end)
                    .map(|o| when(o.starts_at, o.ends_at, zone, language))
                    .collect()
            };
            let listed: Vec<Uuid> =
                serde_json::from_value(row.context["events"].clone()).unwrap_or_default();
            let mut entries: Vec<Entry> = listed
                .iter()
                .filter_map(|id| round.live_event(*id))
                .filter(|e| takes_place_in(e, start, end))
                .map(|event| Entry {
                    event,
                    dates: zone_dates(event),
                    url: page(event),
                })
                .collect();
            if entries.is_empty() {
                return Ok(None);
            }
            entries.sort_by_key(|e| first_in(e.event, start));
            Ok(Some(digest::weekly(
                templates,
                language,
                &row.recipient,
                &entries,
                &state.links.page("/calendar.ics"),
                &footer(subscriber),
            )?))
        }
        Kind::RegistrationConfirmed | Kind::RegistrationWaitlisted | Kind::RegistrationPromoted => {
            let Some(registration) = registration else {
                return Ok(None);
            };
            let news = match kind {
                Kind::RegistrationConfirmed => News::Confirmed,
                Kind::RegistrationPromoted => News::Promoted,
                _ => News::Waitlisted {
                    position: serde_json::from_value(row.context["waitlist_position"].clone())
                        .unwrap_or(None),
                },
            };
            // A place in line that has since become a place, or a place since given up, is
            // old news.
            let wanted = match news {
                News::Waitlisted { .. } => registration.status() == RegistrationStatus::Waitlisted,
                _ => registration.status() == RegistrationStatus::Confirmed,
            };
            if !wanted {
                return Ok(None);
            }
            let given: EventSummary = serde_json::from_value(row.context["event"].clone())?;
            let event = match round.events.get(&given.event_id) {
                Some((_, true)) => return Ok(None),
                Some((known, false)) => known,
                None => &given,
            };
            // A place at one date of a weekly event names that date, and only that date goes
            // to the calendar.
            let one_date;
            let event = match registration.occurrence_id {
                Some(date) => {
                    let starts_at =
                        serde_json::from_value(row.context["occurrence_starts_at"].clone())
                            .unwrap_or(None);
                    one_date = only_date(event, date, starts_at);
                    &one_date
                }
                None => event,
            };
            let url = page(event);
            // A place in line is not yet a date for the calendar.
            let attachment = (!matches!(news, News::Waitlisted { .. }))
                .then(|| calendar::attachment(event, &event.occurrences, &url, language));
            let who = registrant(templates, language, row, registration, event, &url);
            Ok(Some(registration_emails::registration(
                &who, news, attachment,
            )?))
        }
        Kind::Reminder => {
            let Some(registration) =
                registration.filter(|r| r.status() == RegistrationStatus::Confirmed)
            else {
                return Ok(None);
            };
            let given: EventSummary = serde_json::from_value(row.context["event"].clone())?;
            let occurrence: Occurrence = serde_json::from_value(row.context["occurrence"].clone())?;
            // A reminder for an occurrence since cancelled or moved is not sent: a moved one is
            // reminded again at its new time.
            let event = match round.events.get(&given.event_id) {
                Some((_, true)) => return Ok(None),
                Some((known, false)) => {
                    let same = known.occurrences.iter().any(|o| {
                        o.occurrence_id == occurrence.occurrence_id
                            && o.starts_at == occurrence.starts_at
                    });
                    if !same {
                        return Ok(None);
                    }
                    known
                }
                None => &given,
            };
            let zone = event.time_zone.parse().unwrap_or(chrono_tz::Europe::Rome);
            let date = when(occurrence.starts_at, occurrence.ends_at, zone, language);
            let url = page(event);
            let attachment =
                calendar::attachment(event, std::slice::from_ref(&occurrence), &url, language);
            let who = registrant(templates, language, row, registration, event, &url);
            Ok(Some(registration_emails::reminder(
                &who, &date, attachment,
            )?))
        }
        Kind::EventRescheduled | Kind::EventCancelled => {
            let audience = match (subscriber, registration) {
                (Some(_), _) => match active {
                    Some(s) => AudienceOf::Subscriber(footer(s)),
                    None => return Ok(None),
                },
                (None, Some(r)) => {
                    // Someone who gave their place up needs no news of a move; a cancellation
                    // of the whole event reaches everyone who was registered.
                    if r.status() == RegistrationStatus::Cancelled && kind == Kind::EventRescheduled
                    {
                        return Ok(None);
                    }
                    AudienceOf::Registrant(r.cancel_url.clone())
                }
                (None, None) => return Ok(None),
            };
            let audience = audience.as_audience();
            let event_id = uuid_at(&row.context, "event_id")
                .ok_or_else(|| anyhow::anyhow!("a change without its event"))?;
            let (event, _) = round
                .events
                .get(&event_id)
                .ok_or_else(|| anyhow::anyhow!("event {event_id} unknown to the notifier"))?;
            let zone = event.time_zone.parse().unwrap_or(chrono_tz::Europe::Rome);
            let dates = |list: &[Occurrence]| -> Vec<String> {
                list.iter()
                    .take(12)
                    .map(|o| when(o.starts_at, o.ends_at, zone, language))
                    .collect()
            };
            if kind == Kind::EventCancelled {
                let off: Vec<Occurrence> =
                    serde_json::from_value(row.context["occurrences"].clone()).unwrap_or_default();
                let whole = row.context.get("whole").and_then(|w| w.as_bool()) == Some(true);
                let reason = row.context["reason"].as_str().unwrap_or("");
                return Ok(Some(changes::cancelled(
                    templates,
                    language,
                    &row.recipient,
                    event,
                    &CalledOff {
                        dates: &dates(&off),
                        whole,
                        reason,
                    },
                    &audience,
                )?));
            }
            let previous: Vec<Occurrence> =
                serde_json::from_value(row.context["previous"].clone()).unwrap_or_default();
            let previous_place: Option<Place> =
                serde_json::from_value(row.context["previous_place"].clone()).unwrap_or(None);
            let moved_ids: Vec<Uuid> = previous.iter().map(|o| o.occurrence_id).collect();
            let now: Vec<Occurrence> = event
                .occurrences
                .iter()
                .filter(|o| moved_ids.contains(&o.occurrence_id))
                .cloned()
                .collect();
            let now = if now.is_empty() {
                event.occurrences.clone()
            } else {
                now
            };
            let moved = Move {
                now: dates(&now),
                before: dates(&previous),
                place_now: place_line(event),
                place_before: previous_place.map(|p| {
                    let mut was = event.clone();
                    was.place = Some(p);
                    place_line(&was).unwrap_or_default()
                }),
            };
            Ok(Some(changes::rescheduled(
                templates,
                language,
                &row.recipient,
                event,
                &moved,
                &page(event),
                &audience,
            )?))
        }
        Kind::BookingApproved | Kind::BookingCancelled => {
            let booking: BookingSummary = serde_json::from_value(row.context["booking"].clone())?;
            let reason = row.context.get("reason").and_then(|r| r.as_str());
            Ok(Some(bookings::booking_decided(
                templates,
                &row.recipient,
                &booking,
                kind == Kind::BookingApproved,
                reason,
                state.settings.time_zone,
            )?))
        }
        Kind::BookingRejected => {
            let rejected: BookingRejected = serde_json::from_value(row.context.clone())?;
            Ok(Some(bookings::booking_rejected(
                templates,
                &row.recipient,
                &rejected,
                state.settings.time_zone,
            )?))
        }
        Kind::PasswordLink => {
            let link: PasswordLinkIssued = serde_json::from_value(row.context.clone())?;
            Ok(Some(accounts::password_link(
                templates,
                &row.recipient,
                &link,
                state.settings.time_zone,
            )?))
        }
        Kind::IdeaVerification => {
            let message: IdeaVerificationRequested = serde_json::from_value(row.context.clone())?;
            Ok(Some(ideas::verification(
                templates,
                &row.recipient,
                &message,
                state.settings.time_zone,
            )?))
        }
        Kind::IdeaOutcome => {
            let message: IdeaDecided = serde_json::from_value(row.context.clone())?;
            Ok(Some(ideas::outcome(templates, &row.recipient, &message)?))
        }
        Kind::BookingRequestNotice | Kind::ProposalNotice | Kind::CallNotice => {
            let notice: Notice = serde_json::from_value(row.context.clone())?;
            let path = match &notice {
                // A request waiting for sectors' sign-offs is decided in their queues.
                Notice::BookingRequested { signoffs, .. } if !signoffs.is_empty() => {
                    "/admin/signoffs".to_string()
                }
                Notice::BookingRequested { .. } => "/admin/bookings".to_string(),
                Notice::ProposalSubmitted { proposal } => {
                    format!("/admin/calls/{}", proposal.call_id)
                }
                Notice::CallOpened { call } => format!("/calls/{}", call.call_id),
            };
            Ok(Some(notices::notice(
                templates,
                &row.recipient,
                &notice,
                &state.links.page(&path),
                state.settings.time_zone,
            )?))
        }
    }
}

/// `event` with only the occurrence `date` (found by its id, or else by when it starts); the
/// event as it is when neither is known.
fn only_date(event: &EventSummary, date: Uuid, starts_at: Option<DateTime<Utc>>) -> EventSummary {
    let mut one = event.clone();
    let by_id = |o: &Occurrence| o.occurrence_id == date;
    let by_start = |o: &Occurrence| Some(o.starts_at) == starts_at;
    if event.occurrences.iter().any(by_id) {
        one.occurrences.retain(by_id);
    } else if event.occurrences.iter().any(by_start) {
        one.occurrences.retain(by_start);
    }
    one
}

/// Who a registration's email is written to, about `event` (at `url`).
fn registrant<'a>(
    templates: &'a EmailTemplates,
    language: Language,
    row: &'a deliveries::Model,
    registration: &'a registrations::Model,
    event: &'a EventSummary,
    url: &'a str,
) -> Registrant<'a> {
    Registrant {
        templates,
        language,
        to: &row.recipient,
        name: &registration.name,
        event,
        event_url: url,
        cancel_url: registration.cancel_url.as_deref(),
    }
}

/// Owns what an [`Audience`] borrows.
enum AudienceOf {
    Subscriber(Footer),
    Registrant(Option<String>),
}

impl AudienceOf {
    fn as_audience(&self) -> Audience<'_> {
        match self {
            AudienceOf::Subscriber(footer) => Audience::Subscriber(footer),
            AudienceOf::Registrant(url) => Audience::Registrant {
                cancel_url: url.as_deref(),
            },
        }
    }
}

fn window(context: &serde_json::Value) -> anyhow::Result<(DateTime<Utc>, DateTime<Utc>)> {
    let start = serde_json::from_value(context["window_start"].clone())?;
    let end = serde_json::from_value(context["window_end"].clone())?;
    Ok((start, end))
}

fn first_in(event: &EventSummary, start: DateTime<Utc>) -> Option<DateTime<Utc>> {
    event
        .occurrences
        .iter()
        .map(|o| o.starts_at)
        .filter(|s| *s >= start)
        .min()
}
