//! Secrets in the distributed form: no service starts on PostgreSQL or RabbitMQ without a signing
//! key of its own configuration, and every secret can be given as a file (`PIAZZA_<KEY>_FILE`,
//! as Kubernetes and Docker mount them).

use piazza_e2e::{api::Api, deploy::Deployment, node::Node};
use reqwest::StatusCode;
use std::collections::BTreeMap;

#[tokio::test]
async fn without_a_secret_key_postgres_or_rabbitmq_refuse_to_start_and_name_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let base = BTreeMap::from([
        ("PIAZZA_DATA_DIR".to_string(), data.display().to_string()),
        ("PIAZZA_LISTEN".into(), "127.0.0.1:0".into()),
        ("PIAZZA_DATABASE_URL".into(), piazza_e2e::database_url()),
        (
            "PIAZZA_DATABASE_SCHEMA_PREFIX".into(),
            format!("{}_", piazza_e2e::unique_name()),
        ),
    ]);
    let mut with_rabbitmq = base.clone();
    with_rabbitmq.insert("PIAZZA_AMQP_URL".into(), piazza_e2e::amqp_url());
    // One service on its own, and everything in one process on PostgreSQL: each would otherwise
    // generate a key into its own data dir, and refuse the tokens and links the others signed.
    for (env, args) in [
        (&with_rabbitmq, &["serve", "booking"][..]),
        (&base, &[][..]),
    ] {
        let (ok, output) = piazza_e2e::node::run(env, args, "").await;
        assert!(!ok, "{args:?} started without a secret key: {output}");
        assert!(
            output.contains("invalid setting `secret_key` (env PIAZZA_SECRET_KEY)")
                && output.contains("PIAZZA_SECRET_KEY_FILE"),
            "{output}"
        );
        assert!(!data.join("secret.key").exists(), "a key was generated");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_reads_its_key_and_urls_from_files_and_accepts_what_the_others_signed() {
    let mut deployment = Deployment::distributed_services(&["booking"], BTreeMap::new()).await;
    deployment
        .add_user("admin@comune.test", "admin", None, "admin-password-1")
        .await;
    // The second replica gets each secret as a file, as from a mounted Secret (with the final
    // line break editors and `kubectl create secret --from-file` leave).
    let secrets = deployment.dir.path().join("secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    let mut env = deployment.env.clone();
    for key in ["SECRET_KEY", "DATABASE_URL", "AMQP_URL"] {
        let value = env.remove(&format!("PIAZZA_{key}")).unwrap();
        let file = secrets.join(key.to_lowercase());
        std::fs::write(&file, format!("{value}\n")).unwrap();
        env.insert(format!("PIAZZA_{key}_FILE"), file.display().to_string());
    }
    let replica = Node::start(
        "booking-2",
        env,
        &["serve", "booking"],
        deployment.dir.path(),
    )
    .await;
    let api = Api::new();
    let (status, body) = api.get(&format!("{}/readyz", replica.base_url), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = api
        .login(
            deployment.url("booking"),
            "admin@comune.test",
            "admin-password-1",
        )
        .await;
    let bookings = format!("{}/api/v1/bookings", replica.base_url);
    let (status, body) = api.get(&bookings, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = api.get(&bookings, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    deployment.nodes.push(replica);
    deployment.stop().await;
}
