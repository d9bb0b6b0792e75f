//! The CloudEvents 1.0 envelope (JSON structured mode) that carries every message, and the
//! [`Message`] trait that ties a contract type to its event type.
//! See <https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md>.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

/// A message contract: a versioned serde type with a fixed CloudEvents `type`.
pub trait Message: Serialize + DeserializeOwned {
    /// `piazza.<aggregate>.<verb>`.
    const TYPE: &'static str;

    /// The RabbitMQ routing key: the type without the `piazza.` prefix.
    fn routing_key() -> &'static str {
        routing_key_of(Self::TYPE)
    }
}

/// The routing key of an event type: the type without the `piazza.` prefix.
pub fn routing_key_of(event_type: &str) -> &str {
    event_type.strip_prefix("piazza.").unwrap_or(event_type)
}

/// A CloudEvents 1.0 envelope. Unknown attributes are ignored, so newer producers can add some.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub specversion: String,
    /// UUIDv7: unique, and ordered by creation time.
    pub id: Uuid,
    /// `/piazza/<service>`.
    pub source: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub time: DateTime<Utc>,
    pub datacontenttype: String,
    /// Ties together every message of one flow (a slot request and its answer, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlationid: Option<String>,
    pub data: serde_json::Value,
}

/// An envelope whose `data` does not match the contract of its `type`.
#[derive(Debug, thiserror::Error)]
#[error("message {id} of type {event_type} does not match its contract: {source}")]
pub struct ContractError {
    pub id: Uuid,
    pub event_type: String,
    #[source]
    pub source: serde_json::Error,
}

impl Envelope {
    /// Wraps a contract value, created now by `service`.
    pub fn new<M: Message>(service: &str, message: &M, correlation: Option<String>) -> Self {
        Self {
            specversion: "1.0".into(),
            id: Uuid::now_v7(),
            source: format!("/piazza/{service}"),
            event_type: M::TYPE.into(),
            time: crate::clock::now(),
            datacontenttype: "application/json".into(),
            correlationid: correlation,
            // Serialising plain data structs into a Value cannot fail.
            data: serde_json::to_value(message).unwrap_or(serde_json::Value::Null),
        }
    }

    pub fn routing_key(&self) -> &str {
        routing_key_of(&self.event_type)
    }

    pub fn is<M: Message>(&self) -> bool {
        self.event_type == M::TYPE
    }

    /// Reads `data` as the contract `M`.
    pub fn decode<M: Message>(&self) -> Result<M, ContractError> {
        serde_json::from_value(self.data.clone()).map_err(|source| ContractError {
            id: self.id,
            event_type: self.event_type.clone(),
            source,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::booking::BookingRejected;

    #[test]
    fn an_envelope_round_trips_and_ignores_unknown_attributes() {
        let message = BookingRejected {
            version: 1,
            booking_id: Some(Uuid::now_v7()),
            space_id: Uuid::now_v7(),
            event_id: None,
            reason: "closed for works".into(),
            contact_email: None,
            title: "Laboratorio".into(),
            starts_at: crate::clock::now(),
            ends_at: crate::clock::now(),
            conflicts: vec![],
        };
        let envelope = Envelope::new("booking", &message, Some("c-1".into()));
        let mut json: serde_json::Value = serde_json::from_slice(&envelope.to_bytes()).unwrap();
        assert_eq!(json["specversion"], "1.0");
        assert_eq!(json["type"], "piazza.booking.rejected");
        json["futureattribute"] = "x".into();
        json["data"]["future_field"] = 3.into();
        let back = Envelope::from_bytes(json.to_string().as_bytes()).unwrap();
        assert_eq!(back.routing_key(), "booking.rejected");
        assert_eq!(back.decode::<BookingRejected>().unwrap(), message);
    }
}
