//! TLS for a room network (`drillsim serve --cert FILE --key FILE`): the pages over HTTPS and the
//! seats' WebSockets over WSS, with rustls and its `ring` crypto provider. Handshakes run on
//! their own tasks, so a slow or broken client never holds up another's connection.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};
use tokio_rustls::server::TlsStream;

use pki_types::pem::{self, PemObject};
use pki_types::{CertificateDer, PrivateKeyDer};

/// Why the TLS configuration cannot be made, in words for the operator (the file named).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TlsError(String);

/// A PEM file's problem in words (the file named).
fn pem_error(what: &str, path: &Path, e: pem::Error) -> TlsError {
    TlsError(pem_message(what, path, e))
}

fn pem_message(what: &str, path: &Path, e: pem::Error) -> String {
    match e {
        pem::Error::Io(e) => format!("cannot read the {what} file {}: {e}", path.display()),
        pem::Error::NoItemsFound => {
            let wanted = if what == "certificate" {
                "a \"-----BEGIN CERTIFICATE-----\" block"
            } else {
                "a \"-----BEGIN PRIVATE KEY-----\" (or RSA/EC PRIVATE KEY) block"
            };
            format!("{}: no {what} in it (a PEM file with {wanted} is expected)", path.display())
        }
        e => format!("{}: not a readable PEM {what}: {e}", path.display()),
    }
}

/// The TLS configuration from a PEM certificate chain (the server's certificate first) and its
/// PEM private key (PKCS#8, PKCS#1 or SEC1). `Err` is a message for the operator.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| pem_error("certificate", cert, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| pem_error("certificate", cert, e))?;
    if certs.is_empty() {
        return Err(pem_error("certificate", cert, pem::Error::NoItemsFound));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_error("private key", key, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(format!("cannot set up TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| {
            TlsError(format!(
                "the certificate {} and the key {} cannot be used together: {e}",
                cert.display(),
                key.display()
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A listener whose connections have completed their TLS handshake (for `axum::serve`).
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl TlsListener {
    /// Accepts on `tcp` and shakes hands on a task per connection (within 10 s, else dropped).
    /// Must be called inside the tokio runtime.
    pub fn new(tcp: TcpListener, tls: TlsAcceptor) -> std::io::Result<TlsListener> {
        let addr = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = tcp.accept().await else {
                    // Out of file descriptors and the like: wait, then go on accepting.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let (tls, tx) = (tls.clone(), tx.clone());
                tokio::spawn(async move {
                    if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_secs(10), tls.accept(stream)).await {
                        let _ = tx.send((s, peer)).await;
                    }
                });
            }
        });
        Ok(TlsListener { ready, addr })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(x) => x,
            // The accepting task ended (the runtime is shutting down): accept nothing more.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_wrong_files_are_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let e = acceptor(&missing, &missing).err().unwrap().to_string();
        assert!(e.starts_with("cannot read the certificate file") && e.contains("nope.pem"), "{e}");
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate\n").unwrap();
        let e = acceptor(&junk, &junk).err().unwrap().to_string();
        assert!(e.contains("junk.pem: no certificate in it"), "{e}");
    }
}
