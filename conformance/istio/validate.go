package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	operatorvalidation "istio.io/istio/operator/pkg/apis/validation"
	"istio.io/istio/pilot/pkg/config/kube/crd"
	crdvalidation "istio.io/istio/pkg/config/crd"
	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/config/schema/resource"
)

// webhookGroups are the API groups istiod's ValidatingWebhookConfiguration sends to the webhook
// (manifests/charts/istio-control/istio-discovery/templates/validatingwebhookconfiguration.yaml).
var webhookGroups = map[string]bool{
	"security.istio.io":   true,
	"networking.istio.io": true,
	"telemetry.istio.io":  true,
	"extensions.istio.io": true,
}

// webhookTopLevelFields are the only top-level fields the webhook accepts
// (pkg/webhooks/validation/server/server.go, checkFields).
var webhookTopLevelFields = map[string]bool{"apiVersion": true, "kind": true, "metadata": true, "spec": true, "status": true}

// validateFinding is one error or warning about one object, with the check that raised it.
type validateFinding struct {
	// Source: "webhook" (pkg/config/validation, as istiod's admission webhook runs it),
	// "crd-schema" (the CRD's openAPIV3Schema, list types, unknown fields and CEL rules, as the API
	// server checks them: pkg/config/crd), "istio-operator" (an IstioOperator as `istioctl install`
	// and `istioctl validate` check it: operator/pkg/apis/validation), or "decode".
	Source  string `json:"source"`
	Message string `json:"message"`
}

// validatedObject is the verdict on one document of the input.
type validatedObject struct {
	File       string            `json:"file"`
	Index      int               `json:"index"`
	APIVersion string            `json:"apiVersion,omitempty"`
	Kind       string            `json:"kind,omitempty"`
	Namespace  string            `json:"namespace,omitempty"`
	Name       string            `json:"name,omitempty"`
	Webhook    bool              `json:"webhook"`   // istiod's webhook validated it
	CRDSchema  bool              `json:"crdSchema"` // a CRD schema from --crds validated it
	Operator   bool              `json:"operator"`  // validated as an IstioOperator
	Errors     []validateFinding `json:"errors"`
	Warnings   []validateFinding `json:"warnings"`
}

type validateOutput struct {
	Objects []validatedObject `json:"objects"`
}

// runValidate checks every object as `kubectl apply` against a cluster with Istio installed would:
// the API server's CRD schema validation (when --crds names the CRD files) and istiod's validating
// webhook for the Istio API groups.
func runValidate(args []string) (any, error) {
	fs := newFlags("validate")
	namespace := fs.String("namespace", "default")
	crdFiles := fs.Strings("crds")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if len(fs.Args) == 0 {
		return nil, errors.New("validate: no files given")
	}
	var schemaValidator *crdvalidation.Validator
	crdKinds := map[schema.GroupVersionKind]bool{}
	if len(*crdFiles) > 0 {
		c, err := loadCRDs(*crdFiles)
		if err != nil {
			return nil, err
		}
		schemaValidator, crdKinds = c.validator, c.kinds
	}
	docs, err := readDocuments(fs.Args)
	if err != nil {
		return nil, err
	}
	out := validateOutput{Objects: []validatedObject{}}
	for _, d := range docs {
		out.Objects = append(out.Objects, validateDocument(d, *namespace, schemaValidator, crdKinds))
	}
	return out, nil
}

func validateDocument(d document, namespace string, sv *crdvalidation.Validator, crdKinds map[schema.GroupVersionKind]bool) validatedObject {
	o := validatedObject{File: d.File, Index: d.Index, Errors: []validateFinding{}, Warnings: []validateFinding{}}
	if d.Obj == nil {
		msg := "not a Kubernetes object"
		if d.Err != nil {
			msg = d.Err.Error()
		}
		o.Errors = append(o.Errors, validateFinding{Source: "decode", Message: msg})
		return o
	}
	u := d.Obj
	o.APIVersion, o.Kind, o.Namespace, o.Name = u.GetAPIVersion(), u.GetKind(), u.GetNamespace(), u.GetName()
	gvk := u.GroupVersionKind()

	if sv != nil && crdKinds[gvk] {
		o.CRDSchema = true
		for _, e := range splitErrors(sv.ValidateCustomResource(u.DeepCopy())) {
			o.Errors = append(o.Errors, validateFinding{Source: "crd-schema", Message: e})
		}
	}

	if gvk.Group == "install.istio.io" && gvk.Kind == "IstioOperator" {
		o.Operator = true
		warns, errs := operatorvalidation.ParseAndValidateIstioOperator(u.DeepCopy().Object, nil)
		for _, e := range errs {
			o.Errors = append(o.Errors, validateFinding{Source: "istio-operator", Message: e.Error()})
		}
		for _, w := range warns {
			o.Warnings = append(o.Warnings, validateFinding{Source: "istio-operator", Message: w.Error()})
		}
	}

	if webhookGroups[gvk.Group] {
		o.Webhook = true
		errs, warns := webhookValidate(d.JSON, u, namespace)
		for _, e := range errs {
			o.Errors = append(o.Errors, validateFinding{Source: "webhook", Message: e})
		}
		for _, w := range warns {
			o.Warnings = append(o.Warnings, validateFinding{Source: "webhook", Message: w})
		}
	}
	return o
}

// webhookValidate follows pkg/webhooks/validation/server/server.go (Webhook.validate): decode as an
// IstioKind, find the schema by group and kind (any version), convert, ValidateConfig, then the
// top-level field check. The API server sets metadata.namespace from the request before the webhook
// sees the object, so an object without one is validated in `namespace` (as `kubectl apply -n`).
func webhookValidate(js []byte, u *unstructured.Unstructured, namespace string) (errs []string, warns []string) {
	var obj crd.IstioKind
	if err := json.Unmarshal(js, &obj); err != nil {
		return []string{fmt.Sprintf("cannot decode configuration: %v", err)}, nil
	}
	if obj.Namespace == "" {
		obj.Namespace = namespace
	}
	gvk := obj.GroupVersionKind()
	s, ok := collections.PilotGatewayAPI().FindByGroupKind(resource.FromKubernetesGVK(&gvk))
	if !ok {
		return []string{fmt.Sprintf("unrecognized type %v", gvk)}, nil
	}
	cfg, err := crd.ConvertObject(s, &obj, "cluster.local")
	if err != nil {
		return []string{fmt.Sprintf("error decoding configuration: %v", err)}, nil
	}
	warning, err := s.ValidateConfig(*cfg)
	errs = splitErrors(err)
	warns = splitErrors(warning)
	if len(errs) == 0 {
		for key := range u.Object {
			if !webhookTopLevelFields[key] {
				errs = append(errs, fmt.Sprintf("unknown field %q on %s resource %s/%s", key, gvk.Kind, obj.Namespace, obj.Name))
			}
		}
	}
	return errs, warns
}

// splitErrors turns a (multi)error into its messages.
func splitErrors(err error) []string {
	if err == nil {
		return nil
	}
	var me *multierror.Error
	if errors.As(err, &me) {
		out := []string{}
		for _, e := range me.Errors {
			out = append(out, splitErrors(e)...)
		}
		return out
	}
	return []string{strings.TrimSpace(err.Error())}
}

type crdSet struct {
	validator *crdvalidation.Validator
	kinds     map[schema.GroupVersionKind]bool
}

// crdCache keeps compiled CRD validators (schemas and CEL programs) across the jobs of a batch.
var crdCache = map[string]crdSet{}

func loadCRDs(files []string) (crdSet, error) {
	key := strings.Join(files, "\x00")
	if c, ok := crdCache[key]; ok {
		return c, nil
	}
	v, err := crdvalidation.NewValidatorFromFiles(files...)
	if err != nil {
		return crdSet{}, fmt.Errorf("validate: reading CRDs: %v", err)
	}
	v.SkipMissing = true
	kinds, err := crdKindsOf(files)
	if err != nil {
		return crdSet{}, err
	}
	c := crdSet{validator: v, kinds: kinds}
	crdCache[key] = c
	return c, nil
}

// crdKindsOf lists the group/version/kinds the CRD files define.
func crdKindsOf(files []string) (map[schema.GroupVersionKind]bool, error) {
	out := map[schema.GroupVersionKind]bool{}
	docs, err := readDocuments(files)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.Obj == nil || d.Obj.GetKind() != "CustomResourceDefinition" {
			continue
		}
		group, _, _ := unstructured.NestedString(d.Obj.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(d.Obj.Object, "spec", "names", "kind")
		versions, _, _ := unstructured.NestedSlice(d.Obj.Object, "spec", "versions")
		for _, v := range versions {
			if m, ok := v.(map[string]any); ok {
				if name, ok := m["name"].(string); ok {
					out[schema.GroupVersionKind{Group: group, Version: name, Kind: kind}] = true
				}
			}
		}
	}
	return out, nil
}
