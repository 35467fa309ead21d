"""Extract the part of GitHub's OpenAPI description that the fake GitHub server implements.

Why: the full description (npm package ``@octokit/openapi``, file
``generated/api.github.com.json``) is about 13 MB; the tests only need the operations that
``tests/github/server.py`` serves and the components those operations reference. The subset is
committed as ``tests/github/openapi-subset.json`` so the tests never touch the network.

Refreshing the subset (the npm registry must be reachable)::

    cd /work/main
    .venv/bin/python tests/github/extract_openapi.py            # runs `npm pack @octokit/openapi`
    .venv/bin/python tests/github/extract_openapi.py --spec /path/to/api.github.com.json
    .venv/bin/python -m pytest tests/github -q                  # the server must still conform

Add an operation to ``OPERATIONS`` below when the server learns a new endpoint (a test checks
that both lists agree).

Pruning, so that the file stays small and only says what the tests check:

* only the listed operations, and only ``application/json`` request and response bodies
  (GitHub's custom ``application/vnd.github.*`` and ``application/scim+json`` media types are
  dropped; the server only speaks JSON);
* ``examples``/``example`` values, ``externalDocs``, ``tags`` and the long ``description``
  texts are removed (schemas keep their ``title``; Response objects keep their short
  ``description``, which OpenAPI 3.0 requires); they are documentation, not constraints;
* only the components reachable from the kept operations (``$ref`` closure, computed after the
  pruning above) are kept.

One normalisation: a schema with ``nullable: true`` and an ``enum`` gets ``null`` added to the
enum (e.g. an open issue's ``state_reason``). OpenAPI 3.0.3 says ``nullable`` does not extend an
``enum``, and openapi-core applies that strictly, yet GitHub answers ``null`` there; the
description means "nullable".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "openapi-subset.json"
PACKAGE = "@octokit/openapi"
MEMBER = "package/generated/api.github.com.json"

# (path template, method): everything server.py answers.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("/user", "get"),
    ("/rate_limit", "get"),
    ("/repos/{owner}/{repo}", "get"),
    ("/repos/{owner}/{repo}/assignees", "get"),
    ("/repos/{owner}/{repo}/assignees/{assignee}", "get"),
    ("/repos/{owner}/{repo}/issues", "get"),
    ("/repos/{owner}/{repo}/issues", "post"),
    ("/repos/{owner}/{repo}/issues/comments", "get"),
    ("/repos/{owner}/{repo}/issues/comments/{comment_id}", "get"),
    ("/repos/{owner}/{repo}/issues/comments/{comment_id}", "patch"),
    ("/repos/{owner}/{repo}/issues/comments/{comment_id}", "delete"),
    ("/repos/{owner}/{repo}/issues/{issue_number}", "get"),
    ("/repos/{owner}/{repo}/issues/{issue_number}", "patch"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/assignees", "post"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/assignees", "delete"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/comments", "get"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/comments", "post"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/labels", "get"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/labels", "post"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/labels", "put"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/labels", "delete"),
    ("/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", "delete"),
    ("/repos/{owner}/{repo}/labels", "get"),
    ("/repos/{owner}/{repo}/labels", "post"),
    ("/repos/{owner}/{repo}/labels/{name}", "get"),
    ("/repos/{owner}/{repo}/labels/{name}", "patch"),
    ("/repos/{owner}/{repo}/labels/{name}", "delete"),
)

# Components always kept: the server's generic error bodies (401, 403, 429, 500 are not
# documented on every operation, so the validator checks them against these directly).
ALWAYS_KEEP = ("#/components/schemas/basic-error",)

DOC_KEYS = {"examples", "example", "externalDocs", "tags", "description"}


def fetch_spec(workdir: Path) -> Path:
    """Download the npm package with ``npm pack`` and unpack the REST description."""
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    tarballs = sorted(workdir.glob("octokit-openapi-*.tgz"))
    if not tarballs:
        raise SystemExit(f"npm pack {PACKAGE} produced no tarball in {workdir}")
    with tarfile.open(tarballs[-1]) as tar:
        tar.extract(MEMBER, workdir, filter="data")
    return workdir / MEMBER


def strip_docs(node, *, in_properties: bool = False):
    """Remove documentation-only keys; keep property *names* such as a field called ``tags``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if not in_properties and key in DOC_KEYS:
                continue
            out[key] = strip_docs(value, in_properties=(key == "properties" and not in_properties))
        return out
    if isinstance(node, list):
        return [strip_docs(item) for item in node]
    return node


def nullable_enums(node):
    """Add ``None`` to the ``enum`` of nullable schemas (see the module docstring)."""
    if isinstance(node, dict):
        out = {k: nullable_enums(v) for k, v in node.items()}
        if out.get("nullable") is True and isinstance(out.get("enum"), list) \
                and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
        return out
    if isinstance(node, list):
        return [nullable_enums(item) for item in node]
    return node


def json_only(content: dict) -> dict:
    return {k: v for k, v in content.items() if k == "application/json"}


def prune_operation(op: dict) -> dict:
    op = dict(op)
    if "requestBody" in op and "content" in op["requestBody"]:
        op["requestBody"] = dict(op["requestBody"], content=json_only(op["requestBody"]["content"]))
    responses = {}
    for code, resp in op.get("responses", {}).items():
        if "content" in resp:
            resp = dict(resp, content=json_only(resp["content"]))
        responses[code] = keep_description(resp, strip_docs(resp))
    op = strip_docs(dict(op, responses={}))
    op["responses"] = responses
    return op


def keep_description(original: dict, stripped: dict) -> dict:
    """OpenAPI 3.0 requires ``description`` on Response objects: keep that one."""
    if "description" in original and "$ref" not in original:
        return {"description": original["description"], **stripped}
    return stripped


def refs_in(node, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            refs_in(value, found)
    elif isinstance(node, list):
        for item in node:
            refs_in(item, found)


def resolve(spec: dict, ref: str):
    if not ref.startswith("#/"):
        raise SystemExit(f"external $ref not supported: {ref}")
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def extract(spec: dict) -> dict:
    paths: dict[str, dict] = {}
    for template, method in OPERATIONS:
        item = spec["paths"].get(template, {})
        if method not in item:
            raise SystemExit(f"{method.upper()} {template} is not in the description")
        kept = paths.setdefault(template, {})
        if "parameters" in item:
            kept["parameters"] = strip_docs(item["parameters"])
        kept[method] = prune_operation(item[method])

    # $ref closure over the pruned operations, then over the pruned components themselves.
    components: dict[str, dict] = {}
    pending: set[str] = set(ALWAYS_KEEP)
    refs_in(paths, pending)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, section, name = ref.split("/", 3)
        node = resolve(spec, ref)
        if section == "responses" and "content" in node:
            node = dict(node, content=json_only(node["content"]))
        node = keep_description(node, strip_docs(node)) if section == "responses" \
            else strip_docs(node)
        components.setdefault(section, {})[name] = node
        refs_in(node, pending)

    return {
        "openapi": spec["openapi"],
        "info": {
            "title": spec["info"]["title"] + " (subset used by gitdesk's tests)",
            "version": spec["info"]["version"],
            "description": "Extracted by tests/github/extract_openapi.py; do not edit by hand.",
        },
        "servers": spec.get("servers", []),
        "paths": nullable_enums(dict(sorted(paths.items()))),
        "components": nullable_enums(
            {s: dict(sorted(v.items())) for s, v in sorted(components.items())}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path,
                        help="path to api.github.com.json (default: npm pack @octokit/openapi)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        spec_path = args.spec or fetch_spec(Path(tmp))
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
    subset = extract(spec)
    text = json.dumps(subset, indent=1, sort_keys=False) + "\n"
    args.output.write_text(text, encoding="utf-8")
    n_ops = sum(1 for p in subset["paths"].values() for m in p if m != "parameters")
    n_comp = sum(len(v) for v in subset["components"].values())
    print(f"{args.output}: {len(text.encode()):,} bytes, {n_ops} operations, "
          f"{n_comp} components, description version {spec['info']['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
