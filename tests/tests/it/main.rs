//! Piazza's integration tests, one binary: each module drives real services (PostgreSQL,
//! RabbitMQ, an SMTP server, or the embedded SQLite and in-process bus), each test in its own
//! schemas, queues, mailbox and folder so they all run in parallel.

// Tests: a failed expectation must stop the test loudly, so panicking is the point.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod booking;
mod ci;
mod demo;
mod deploy_files;
mod faults;
mod images;
mod messaging;
mod monitoring;
mod notifier;
mod observability;
mod operations;
mod pages;
mod replicas;
mod scheduler;
mod secrets;
mod security;
mod slice;
mod tables;
