/**
 * The certificate checks of one app, as the app would meet its CA: it issues a short-lived
 * certificate for one of its names, the certificate chains up to the CA the stack exports
 * (signatures verified with a maintained X.509 library) and carries exactly the name asked; the
 * same app is refused a name it does not own; its role in Vault allows its names and nothing
 * wider; and a revoked serial appears in the CRL. The issued private key is never kept or printed.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { expect, type RecordCheck } from "./check-record";
import type { AppUnderTest, Environment } from "./environment";
import { vaultErrors, vaultRequest } from "./vault-client";

type CertificateApp = AppUnderTest & { readonly pki: NonNullable<AppUnderTest["pki"]> };
type CertificateEnv = Environment & { readonly pki: NonNullable<Environment["pki"]> };

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificatesIn(pem: string): x509.X509Certificate[] {
  return (pem.match(PEM_BLOCK) ?? []).map((block) => new x509.X509Certificate(block));
}

/** A concrete name a declared one allows: itself, or one label under a wildcard. */
export function concreteName(declared: string): string {
  return declared.startsWith("*.") ? `check.${declared.slice(2)}` : declared;
}

/** The DNS names a certificate carries in its subjectAltName extension. */
export function dnsNamesOf(certificate: x509.X509Certificate): string[] {
  const extension = certificate.getExtension(x509.SubjectAlternativeNameExtension);
  return (extension?.names.items ?? [])
    .filter((name) => name.type === "dns")
    .map((name) => name.value)
    .sort();
}

/**
 * Verifies the chain from `leaf` up to the trusted root: each certificate's signature by the next
 * one's key, each valid now, and a root that is the one trusted (self-signed). Returns the
 * subjects from leaf to root.
 */
export async function verifyChain(
  leaf: x509.X509Certificate,
  intermediates: readonly x509.X509Certificate[],
  trusted: x509.X509Certificate,
  now = new Date(),
): Promise<string[]> {
  const builder = new x509.X509ChainBuilder({ certificates: [...intermediates, trusted] });
  const chain = [...(await builder.build(leaf))];
  for (const [index, certificate] of chain.entries()) {
    const issuer = chain[index + 1] ?? certificate;
    const valid = await certificate.verify({ publicKey: issuer.publicKey, date: now });
    expect(valid, `"${certificate.subject}" is not validly signed by "${issuer.subject}" now`);
  }
  const root = chain[chain.length - 1];
  expect(
    root.equal(trusted),
    `the chain ends at "${root.subject}", not at the CA the stack exports ("${trusted.subject}")`,
  );
  return chain.map((certificate) => certificate.subject);
}

function trustOf(env: CertificateEnv): {
  trusted: x509.X509Certificate;
  chain: x509.X509Certificate[];
} {
  const [trusted] = certificatesIn(env.pki.caCertificate ?? "");
  expect(trusted !== undefined, "the stack exports no CA certificate (output pki.caCertificate)");
  return { trusted, chain: certificatesIn(env.pki.chain ?? "") };
}

async function issue(
  env: CertificateEnv,
  app: CertificateApp,
  token: string,
  name: string,
): ReturnType<typeof vaultRequest> {
  return vaultRequest(env, "POST", `${env.pki.path}/issue/${app.pki.role}`, token, {
    common_name: name,
    ttl: "2m",
  });
}

/** Every certificate check of one app that has names, recorded in order. */
export async function checkCertificates(
  env: Environment,
  app: AppUnderTest,
  token: string,
  record: RecordCheck,
): Promise<void> {
  if (!app.pki || !env.pki) {
    return;
  }
  const pkiEnv = env as CertificateEnv;
  const pkiApp = app as CertificateApp;
  const name = concreteName(pkiApp.pki.names[0]);
  let serial: string | undefined;

  await record(`${app.name}: issues a certificate for ${name}`, async () => {
    if (!pkiEnv.pki.ready) {
      return {
        skipped: "the CA's intermediate waits for its signed certificate (pki.ready false)",
      };
    }
    const { trusted, chain } = trustOf(pkiEnv);
    const issued = await issue(pkiEnv, pkiApp, token, name);
    expect(
      issued.status === 200,
      `issuing ${name} answered HTTP ${issued.status}${vaultErrors(issued)}`,
    );
    const leaf = new x509.X509Certificate(issued.body.data.certificate as string);
    const sans = dnsNamesOf(leaf);
    expect(
      JSON.stringify(sans) === JSON.stringify([name]),
      `the certificate carries ${JSON.stringify(sans)}, expected exactly ["${name}"]`,
    );
    const subjects = await verifyChain(leaf, chain, trusted);
    serial = issued.body.data.serial_number as string;
    return `serial ${serial}, chain verified: ${subjects.join(" <- ")}`;
  });

  await record(`${app.name}: refused names it does not own`, async () => {
    if (!pkiEnv.pki.ready) {
      return { skipped: "the CA's intermediate waits for its signed certificate" };
    }
    const other = env.apps.find((candidate) => candidate.name !== app.name && candidate.pki);
    const names = [
      ...(other?.pki
        ? [{ name: concreteName(other.pki.names[0]), owner: `app ${other.name}` }]
        : []),
      { name: "vault-platform-check.invalid", owner: "no app" },
    ];
    for (const probe of names) {
      const answer = await issue(pkiEnv, pkiApp, token, probe.name);
      expect(
        answer.status !== 200,
        `app ${app.name} could issue ${probe.name} (a name of ${probe.owner})`,
      );
      // Refused by the role's names (400 "... not allowed by this role"), not a missing path.
      expect(
        answer.status === 400 && /not allowed/.test(vaultErrors(answer)),
        `issuing ${probe.name} answered HTTP ${answer.status}${vaultErrors(answer)}, expected 400 "not allowed by this role"`,
      );
    }
    return `${names.map((probe) => probe.name).join(", ")}: refused by the role (HTTP 400)`;
  });

  await record(`${app.name}: certificate role allows its names only`, async () => {
    const role = await vaultRequest(
      env,
      "GET",
      `${pkiEnv.pki.path}/roles/${pkiApp.pki.role}`,
      env.adminToken,
    );
    expect(role.status === 200, `reading role ${pkiApp.pki.role} answered HTTP ${role.status}`);
    const data = role.body.data as Record<string, unknown>;
    const allowed = ((data.allowed_domains as string[] | null) ?? []).slice().sort();
    const declared = [...pkiApp.pki.names].sort();
    const extra = allowed.filter((domain) => !declared.includes(domain));
    expect(
      extra.length === 0,
      `role ${pkiApp.pki.role} allows names app ${app.name} does not declare: ${extra.join(", ")}`,
    );
    expect(data.allow_any_name !== true, `role ${pkiApp.pki.role} allows any name`);
    expect(
      data.allow_subdomains === pkiApp.pki.allowSubdomains,
      `role ${pkiApp.pki.role} has allow_subdomains ${String(data.allow_subdomains)}, declared ${String(pkiApp.pki.allowSubdomains)}`,
    );
    const wildcards = declared.some((domain) => domain.startsWith("*."));
    expect(
      data.allow_glob_domains === wildcards,
      `role ${pkiApp.pki.role} has allow_glob_domains ${String(data.allow_glob_domains)}`,
    );
    expect(
      data.allow_ip_sans === (pkiApp.pki.allowIpSans ?? false),
      `role ${pkiApp.pki.role} has allow_ip_sans ${String(data.allow_ip_sans)}, declared ${String(pkiApp.pki.allowIpSans ?? false)}`,
    );
    return `${allowed.join(", ")}${pkiApp.pki.allowSubdomains ? " and subdomains" : ""}; no wider`;
  });

  if (serial !== undefined) {
    const revoked = serial;
    await record(`${app.name}: revoked certificate is in the CRL`, async () => {
      const answer = await vaultRequest(env, "POST", `${pkiEnv.pki.path}/revoke`, env.adminToken, {
        serial_number: revoked,
      });
      expect(answer.status === 200, `revoking ${revoked} answered HTTP ${answer.status}`);
      const crlAnswer = await vaultRequest(env, "GET", `${pkiEnv.pki.path}/cert/crl`);
      expect(crlAnswer.status === 200, `reading the CRL answered HTTP ${crlAnswer.status}`);
      const crl = new x509.X509Crl(crlAnswer.body.data.certificate as string);
      const [intermediate] = trustOf(pkiEnv).chain;
      expect(
        intermediate !== undefined && (await crl.verify({ publicKey: intermediate.publicKey })),
        "the CRL is not signed by the issuing CA",
      );
      const hex = revoked.replace(/:/g, "").toLowerCase();
      const entry = crl.entries.find(
        (candidate) =>
          candidate.serialNumber.toLowerCase().replace(/^0+/, "") === hex.replace(/^0+/, ""),
      );
      expect(
        entry !== undefined,
        `serial ${revoked} is not in the CRL (${crl.entries.length} entries)`,
      );
      return `serial ${revoked} listed in the CRL of ${crl.issuer}`;
    });
  }
}
