import * as Effect from "effect/Effect"
import forge from "node-forge"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { RedisServerError } from "../RedisServer.js"

/** @internal */
export interface TlsMaterial {
  readonly ca: string
  readonly cert: string
  readonly key: string
  readonly clientCert: string
  readonly clientKey: string
}

/** @internal */
export interface TlsFiles {
  readonly caFile: string
  readonly certFile: string
  readonly keyFile: string
}

// node-forge signs certificates only with RSA keys; node's native keygen
// makes them in milliseconds, where forge's pure-JS keygen takes seconds.
const rsaKeyPair = () =>
  new Promise<{ publicKey: string; privateKey: string }>((resolve, reject) =>
    Crypto.generateKeyPair(
      "rsa",
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs1", format: "pem" }
      },
      (error, publicKey, privateKey) => error ? reject(error) : resolve({ publicKey, privateKey })
    )
  )

const issue = (options: {
  readonly subject: string
  readonly publicKey: string
  readonly issuer: forge.pki.Certificate | undefined
  readonly signingKey: string
  readonly extensions: ReadonlyArray<object>
}): forge.pki.Certificate => {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(options.publicKey)
  // A leading 01 keeps the DER integer positive, as RFC 5280 requires.
  cert.serialNumber = "01" + Crypto.randomBytes(15).toString("hex")
  const now = Date.now()
  // Backdated an hour so a client whose clock lags slightly accepts it.
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000)
  cert.validity.notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000)
  const subject = [{ name: "commonName", value: options.subject }, {
    name: "organizationName",
    value: "effect-redis tests"
  }]
  cert.setSubject(subject)
  cert.setIssuer(options.issuer === undefined ? subject : options.issuer.subject.attributes)
  cert.setExtensions([...options.extensions])
  cert.sign(forge.pki.privateKeyFromPem(options.signingKey), forge.md.sha256.create())
  return cert
}

const generate = async (): Promise<TlsMaterial> => {
  const [caKeys, serverKeys, clientKeys] = await Promise.all([rsaKeyPair(), rsaKeyPair(), rsaKeyPair()])
  const ca = issue({
    subject: "effect-redis test CA",
    publicKey: caKeys.publicKey,
    issuer: undefined,
    signingKey: caKeys.privateKey,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      { name: "subjectKeyIdentifier" }
    ]
  })
  const leaf = (subject: string, publicKey: string, extensions: ReadonlyArray<object>) =>
    issue({
      subject,
      publicKey,
      issuer: ca,
      signingKey: caKeys.privateKey,
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        ...extensions
      ]
    })
  const server = leaf("localhost", serverKeys.publicKey, [
    // clientAuth too: redis-server presents this certificate when it
    // connects to a master or another cluster node over TLS.
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }
  ])
  const client = leaf("effect-redis test client", clientKeys.publicKey, [
    { name: "extKeyUsage", clientAuth: true }
  ])
  return {
    ca: forge.pki.certificateToPem(ca),
    cert: forge.pki.certificateToPem(server),
    key: serverKeys.privateKey,
    clientCert: forge.pki.certificateToPem(client),
    clientKey: clientKeys.privateKey
  }
}

// Generated once per process: every TLS server of a test run shares one CA,
// so a client configured for one trusts them all.
let cached: Promise<TlsMaterial> | undefined

/**
 * The process-wide test CA, server and client certificates (PEM).
 *
 * @internal
 */
export const tlsMaterial: Effect.Effect<TlsMaterial, RedisServerError> = Effect.tryPromise({
  try: () => {
    if (cached === undefined) {
      cached = generate()
      // A failed generation is not cached: the next server tries again.
      cached.catch(() => {
        cached = undefined
      })
    }
    return cached
  },
  catch: (cause) => new RedisServerError({ message: "Could not generate TLS certificates for redis-server", cause })
})

/**
 * Writes the CA, server certificate and key into `dir` for redis-server's
 * `--tls-*-file` options.
 *
 * @internal
 */
export const writeTlsFiles = (dir: string, material: TlsMaterial): Effect.Effect<TlsFiles, RedisServerError> =>
  Effect.tryPromise({
    try: async () => {
      const files: TlsFiles = {
        caFile: Path.join(dir, "ca.crt"),
        certFile: Path.join(dir, "redis.crt"),
        keyFile: Path.join(dir, "redis.key")
      }
      await Fs.writeFile(files.caFile, material.ca)
      await Fs.writeFile(files.certFile, material.cert)
      await Fs.writeFile(files.keyFile, material.key, { mode: 0o600 })
      return files
    },
    catch: (cause) => new RedisServerError({ message: `Could not write TLS files into ${dir}`, cause })
  })
