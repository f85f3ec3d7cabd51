/**
 * Client TLS settings (DestinationRule `trafficPolicy.tls`), as istiod's admission checks them
 * (Istio 1.30.3 pkg/config/validation/agent/validation.go `ValidateTLS`), and the proxy's CA bundle path.
 */

/**
 * With `credentialName` on SIMPLE or MUTUAL, istiod fetches the certificates from the Secret, and the
 * file-based fields must be empty ("cannot specify client certificates or CA certificate or CA CRL If
 * credentialName is set").
 * @returns the rule text when one of `fields` (the file-based fields that are set) is set together with a credential
 */
export function clientTlsCredentialConflict(mode: string, credentialName: string | undefined, fields: readonly string[]): string | undefined {
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && credentialName && fields.length > 0) {
    return `client certificates, CA certificates or a CRL (${fields.join(', ')}) cannot be set together with credentialName (istiod ValidateTLS)`;
  }
  return undefined;
}

/** The file-based client TLS fields `clientTlsCredentialConflict` looks at. */
export const CLIENT_TLS_FILE_FIELDS = ['clientCertificate', 'caCertificates', 'privateKey', 'caCrl'] as const;

/**
 * A CA bundle is a file the proxy reads: an absolute path without whitespace (e.g. the proxy image's
 * system bundle `/etc/ssl/certs/ca-certificates.crt`).
 */
export function caBundlePath(v: unknown): string | undefined {
  return typeof v === 'string' && v.startsWith('/') && !/\s/.test(v) ? undefined : 'a CA bundle is an absolute file path inside the proxy';
}
