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
    /// The W3C Trace Context of the work that sent it (the CloudEvents distributed-tracing
    /// extension): whoever handles it continues that trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// The `X-Request-Id` of the request that started the flow, so one request can be followed
    /// by its id through every service's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requestid: Option<String>,
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
    /// Wraps a contract value, created now by `service`, in the current request's or message's
    /// context ([`crate::trace::current`]).
    pub fn new<M: Message>(service: &str, message: &M, correlation: Option<String>) -> Self {
        let context = crate::trace::current();
        Self {
            specversion: "1.0".into(),
            id: Uuid::now_v7(),
            source: format!("/piazza/{service}"),
            event_type: M::TYPE.into(),
            time: crate::clock::now(),
            datacontenttype: "application/json".into(),
            correlationid: correlation,
            traceparent: context.as_ref().map(|c| c.trace.to_string()),
            requestid: context.and_then(|c| c.request_id),
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
            dates: vec![],
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

    #[tokio::test]
    async fn an_envelope_carries_the_context_it_was_made_in_and_old_ones_still_decode() {
        let context = crate::trace::Context {
            request_id: Some("req-7".into()),
            trace: crate::trace::TraceParent::parse(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            )
            .unwrap(),
        };
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Ping {
            n: u32,
        }
        impl Message for Ping {
            const TYPE: &'static str = "piazza.test.ping";
        }
        let ping = Ping { n: 1 };
        let envelope = crate::trace::scope(context.clone(), async {
            Envelope::new("booking", &ping, None)
        })
        .await;
        let json: serde_json::Value = serde_json::from_slice(&envelope.to_bytes()).unwrap();
        assert_eq!(json["requestid"], "req-7");
        assert_eq!(json["traceparent"], context.trace.to_string());
        // Outside any request: no context attributes at all.
        let plain = Envelope::new("booking", &ping, None);
        assert_eq!(plain.traceparent, None);
        let mut json: serde_json::Value = serde_json::from_slice(&plain.to_bytes()).unwrap();
        assert!(json.get("requestid").is_none());
        // An envelope written before these attributes existed.
        json.as_object_mut().unwrap().remove("traceparent");
        let back = Envelope::from_bytes(json.to_string().as_bytes()).unwrap();
        assert_eq!(back.requestid, None);
        assert_eq!(back.decode::<Ping>().unwrap(), ping);
    }
}
