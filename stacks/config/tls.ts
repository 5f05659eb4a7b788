/**
 * TLS of a server-mode listener: the settings of the chosen mode, with every problem of the
 * fields that mode uses (or must not).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseDuration } from "../../infra/duration";
import { checkProvidedTls } from "../tls-config";
import { Problems } from "./problems";
import { tlsSchema } from "./schemas";
import { ENCRYPTED_PLACEHOLDER } from "./source";
import type { TlsConfig } from "./types";

const DEFAULT_TLS_VALIDITY = "2160h";

/** The TLS settings for a mode, with every problem of the fields that mode uses (or must not). */
export function resolveTls(
  mode: TlsConfig["mode"],
  tls: z.infer<typeof tlsSchema>,
  privateKey: pulumi.Output<string> | undefined,
  privateKeyText: string | undefined,
  server: { readonly bindAddress: string },
  problems: Problems,
): TlsConfig {
  const unused = (
    field: "certificate" | "caCertificate" | "dnsNames" | "validity",
    only: string,
  ) => {
    if (tls[field] !== undefined) {
      problems.add(
        "server",
        ["tls", field],
        `applies to server.tls.mode "${only}" only`,
        tls[field],
      );
    }
  };
  if (mode !== "provided") {
    unused("certificate", "provided");
    unused("caCertificate", "provided");
    if (privateKey !== undefined) {
      problems.add("tlsPrivateKey", [], 'applies to server.tls.mode "provided" only', "set");
    }
  }
  if (mode !== "generated") {
    unused("dnsNames", "generated");
    unused("validity", "generated");
  }
  switch (mode) {
    case "disabled":
      return { mode };
    case "generated":
      return {
        mode,
        dnsNames: tls.dnsNames ?? [],
        validityHours: parseDuration(tls.validity ?? DEFAULT_TLS_VALIDITY) / 3600,
      };
    case "provided": {
      if (tls.certificate === undefined) {
        problems.add(
          "server",
          ["tls", "certificate"],
          'TLS mode "provided" needs the PEM of the server certificate (or set server.tls.mode to "generated")',
          undefined,
        );
      }
      if (privateKey === undefined) {
        problems.add(
          "tlsPrivateKey",
          [],
          'TLS mode "provided" needs the certificate\'s private key, set with `pulumi config set --secret`',
          undefined,
        );
      }
      if (tls.certificate !== undefined) {
        const host = server.bindAddress === "0.0.0.0" ? "127.0.0.1" : server.bindAddress;
        const keyText =
          privateKey !== undefined && privateKeyText !== ENCRYPTED_PLACEHOLDER
            ? privateKeyText
            : undefined;
        const found = checkProvidedTls({
          certificate: tls.certificate,
          caCertificate: tls.caCertificate,
          privateKey: keyText,
          host,
        });
        for (const problem of found) {
          if (problem.field === "tlsPrivateKey") {
            problems.add("tlsPrivateKey", [], problem.message, "set");
          } else {
            problems.add("server", ["tls", problem.field], problem.message, "a PEM value");
          }
        }
      }
      return {
        mode,
        certificate: tls.certificate ?? "",
        caCertificate: tls.caCertificate ?? tls.certificate ?? "",
        privateKey: privateKey ?? pulumi.secret(""),
      };
    }
  }
}

/** An external cluster's listener is not the program's: no private key applies. */
export function checkNoPrivateKey(
  privateKey: pulumi.Output<string> | undefined,
  problems: Problems,
): TlsConfig {
  if (privateKey !== undefined) {
    problems.add(
      "tlsPrivateKey",
      [],
      'applies to a server the program runs (server.tls.mode "provided"), not to server.mode "external"',
      "set",
    );
  }
  return { mode: "disabled" };
}
