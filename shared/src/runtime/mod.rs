//! Running services: each service crate offers a [`ServiceDef`] that turns a [`ServiceContext`]
//! into [`ServiceParts`] (routes, pages, message handler, background workers); an
//! [`Application`] starts one or several of them behind one HTTP listener, wires their outboxes
//! and consumers to the bus, and stops them in order.

mod application;
mod openapi;
mod service;
mod sessions;

pub use application::Application;
pub use service::{ServiceContext, ServiceDef, ServiceParts, Worker, sections, topology};

// Named here too, where the services have always found them; they live with what they belong to.
pub use crate::{
    bus::handler::{MessageHandler, decode},
    readiness::{Probe, Readiness},
    retry::backoff,
};
