//! A small HTTP client for the tests: JSON in, status and JSON out.

use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

#[derive(Clone, Debug)]
pub struct Api {
    client: Client,
}

impl Default for Api {
    fn default() -> Self {
        Self::new()
    }
}

impl Api {
    pub fn new() -> Self {
        Self {
            client: piazza_shared::tls::client_builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .expect("building the HTTP client"),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("request to {url} failed: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json)
    }

    pub async fn get(&self, url: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, url, token, None).await
    }

    pub async fn post(&self, url: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, url, token, Some(body)).await
    }

    /// A raw request, for pages and forms.
    pub fn raw(&self) -> &Client {
        &self.client
    }

    /// Logs in and returns the bearer token.
    pub async fn login(&self, base: &str, email: &str, password: &str) -> String {
        let (status, body) = self
            .post(
                &format!("{base}/api/v1/auth/token"),
                None,
                &serde_json::json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login of {email} failed: {body}");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }
}
