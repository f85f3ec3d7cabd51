/** Severity of a finding. Errors fail synth and `cdk8s-istio lint`; warnings and infos are printed. */
export type FindingLevel = 'error' | 'warning' | 'info';

/** One validation finding about one object. */
export interface Finding {
  /** Istio's own `ISTxxxx` code for analyzer checks, `CIxxxx` for ours. */
  readonly code: string;
  readonly level: FindingLevel;
  readonly message: string;
  /** The object: `kind/namespace/name`. */
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** The construct path that produced the object, when synthesized by cdk8s. */
  readonly path?: string;
  /** The file the object was read from or written to. */
  readonly file?: string;
  /**
   * The index of the object's YAML document in `file`, from 0 (empty documents counted, as `yq`'s
   * `documentIndex`), when read from a file: it tells apart objects without a name (lint prints
   * `documents[N]` for them).
   */
  readonly document?: number;
  /** The index of the object in the `items` of the `List` document it came from, when it did. */
  readonly item?: number;
  /** A construct's error at synth (code `CI0001`): the property, as in `props.port`. */
  readonly property?: string;
  /** A construct's error at synth: the refused value, as the message shows it. */
  readonly value?: string;
  /** A construct's error at synth: the rule the value breaks. */
  readonly rule?: string;
  /** A construct's error at synth: how to fix it, when the construct says. */
  readonly hint?: string;
}

/** A manifest with where it came from. */
export interface SourcedManifest {
  readonly manifest: any;
  /** The file it was read from or will be written to. */
  readonly file?: string;
  /** The index of its YAML document in `file`, from 0, when read from a file (see {@link Finding.document}). */
  readonly document?: number;
  /** Its index in the `items` of a `List` document. */
  readonly item?: number;
  /** The construct path of the ApiObject that produced it. */
  readonly path?: string;
}

/** A validator run over each output folder's manifests at synth (MeshApp `validators`). */
export interface IManifestValidator {
  /** Returns the findings for one deployable set of manifests. */
  validate(manifests: readonly SourcedManifest[]): Finding[];
}
