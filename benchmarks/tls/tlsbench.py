#!/usr/bin/env python3
"""Helper for benchmarks/tls/run (stdlib only).

Sub-commands:
  endpoints FILE [--limit N] [--only a,b]   print name<TAB>host<TAB>port<TAB>target<TAB>caFile
  count-syn FILE                            print "<connections> <raw SYNs>" from a tcpdump text log
  count-strace FILE PORT                    print "<connections> <connect calls>" from an strace log
  report --out DIR --md FILE [--reference V] parse every tool's output, compare, write markdown

Normalisation: every tool's result becomes
  protocols: {"SSLv2".."TLSv1.3": True | False | None(unknown)}
  ciphers:   {protocol: set of integer cipher-suite codes} (per-protocol tools), or None
  union:     set of codes over all protocols (always, when any cipher list exists)
  tested:    {protocol: set of codes the tool attempted} where the output says so (sslyze only)
Codes are compared, not names: testssl gives hex codes ("xc02f", SSLv2 "x0700c0"), sslscan gives
id="0xC02F", sansang gives "code": "0xC02F"; sslyze gives IANA names only, mapped to codes with
scripts/iana-cipher-suites.txt, /etc/testssl/cipher-mapping.txt and `openssl ciphers -V -stdname`.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROTOS = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

# Variants measured by `run`, in report order. "full" runs are the tools' default scans; "pc" runs
# restrict the tool to protocol + cipher-suite enumeration (the fairer comparison).
VARIANTS = {
    "sansang": "sansang scan",
    "sslyze": "sslyze (default full scan)",
    "sslyze-pc": "sslyze (protocols+ciphers only)",
    "testssl": "testssl.sh (default full run)",
    "testssl-pe": "testssl.sh (-p -E only)",
    "sslscan": "sslscan (default run)",
}


def code_str(n):
    return f"0x{n:04X}" if n <= 0xFFFF else f"0x{n:06X}"


def norm_proto(key):
    k = str(key).strip().upper().replace(" ", "").replace("_", ".").replace("V", "")
    # SSL2 SSL2.0 SSLV2 TLS1 TLS1.0 TLSV1_2 TLS1.3 ...
    m = re.fullmatch(r"(SSL|TLS)(\d)(?:\.(\d))?", k)
    if not m:
        return None
    fam, major, minor = m.group(1), m.group(2), m.group(3) or "0"
    if fam == "SSL" and major in ("2", "3"):
        return f"SSLv{major}"
    if fam == "TLS" and major == "1" and minor in "0123":
        return f"TLSv1.{minor}"
    return None


# --------------------------------------------------------------------------- name tables
class CipherNames:
    def __init__(self):
        self.by_name = {}   # upper-case IANA or OpenSSL name -> code
        self.by_code = {}   # code -> preferred (IANA) name
        self.testssl_codes = set()
        self.openssl_codes = set()
        iana = ROOT / "scripts" / "iana-cipher-suites.txt"
        if iana.exists():
            for line in iana.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 2 and not line.startswith("#"):
                    try:
                        code = int(parts[0], 16)
                    except ValueError:
                        continue
                    self._add(code, parts[1], prefer=True)
        mapping = Path("/etc/testssl/cipher-mapping.txt")
        if mapping.exists():
            for line in mapping.read_text(errors="replace").splitlines():
                m = re.match(r"\s*((?:0x[0-9A-Fa-f]{2},?)+)\s+-\s+(\S+)\s+(\S+)", line)
                if m:
                    code = int("".join(b[2:] for b in m.group(1).split(",") if b), 16)
                    self.testssl_codes.add(code)
                    self._add(code, m.group(3))
                    self._add(code, m.group(2), name_only=True)
        if shutil.which("openssl"):
            try:
                out = subprocess.run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                                     capture_output=True, text=True, timeout=20).stdout
            except Exception:
                out = ""
            for line in out.splitlines():
                m = re.match(r"\s*((?:0x[0-9A-Fa-f]{2},?)+)\s+-\s+(\S+)\s+-\s+(\S+)", line)
                if m:
                    code = int("".join(b[2:] for b in m.group(1).split(",") if b), 16)
                    self.openssl_codes.add(code)
                    self._add(code, m.group(2))
                    self._add(code, m.group(3), name_only=True)

    def _add(self, code, name, prefer=False, name_only=False):
        if name and name != "-":
            self.by_name.setdefault(name.upper(), code)
        if not name_only and (prefer or code not in self.by_code) and name and name != "-":
            self.by_code[code] = name

    def code(self, name):
        return self.by_name.get(str(name).upper())

    def label(self, code):
        if isinstance(code, str):
            return code
        return f"{code_str(code)} {self.by_code.get(code, '?')}"


def to_code(value, names):
    """'0xC02F', 'xc02f', 'C02F', 49199 or an IANA/OpenSSL name -> int code, else 'name:...'."""
    if isinstance(value, int):
        return value
    s = str(value).strip()
    m = re.fullmatch(r"(?:0x|x)?([0-9A-Fa-f]{2,6})", s)
    if m and (s.lower().startswith(("0x", "x")) or len(s) in (4, 6)):
        return int(m.group(1), 16)
    m = re.fullmatch(r"0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})(?:,0x([0-9A-Fa-f]{2}))?", s)
    if m:
        return int("".join(g for g in m.groups() if g), 16)
    c = names.code(s)
    return c if c is not None else f"name:{s}"


def load_json_lenient(path):
    text = Path(path).read_text(errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    # A killed testssl leaves an unterminated array; a chatty binary may print lines before JSON.
    t = text.strip().rstrip(",")
    for candidate in (t + "\n]", t[t.find("{"):] if "{" in t else "", t[t.find("["):] if "[" in t else ""):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    raise ValueError(f"unparseable JSON in {path}")


def empty_result():
    return {"protocols": {p: None for p in PROTOS}, "ciphers": None, "union": None, "tested": None,
            "error": None, "notes": []}


# --------------------------------------------------------------------------- parsers
def parse_sansang(d, target, names):
    r = empty_result()
    f = d / "sansang.stdout"
    if not f.exists() or f.stat().st_size == 0:
        r["error"] = "no output"
        return r
    doc = load_json_lenient(f)
    eps = doc.get("endpoints") or []
    ep = next((e for e in eps if str(e.get("endpoint", "")) == target), eps[0] if eps else None)
    if ep is None:
        r["error"] = "no endpoints[] in JSON"
        return r
    tls = ep.get("tls") or {}
    if isinstance(tls.get("connections"), int):
        r["self_connections"] = tls["connections"]  # sansang's own count, cross-checked in the table
    for k, v in (tls.get("protocols") or {}).items():
        p = norm_proto(k)
        if p:
            r["protocols"][p] = v if isinstance(v, bool) else None
    cs = tls.get("cipherSuites")
    if isinstance(cs, dict):
        ciphers = {}
        for k, lst in cs.items():
            p = norm_proto(k)
            if not p or not isinstance(lst, list):
                continue
            s = set()
            for c in lst:
                if isinstance(c, dict):
                    v = c.get("code") if c.get("code") is not None else c.get("name")
                else:
                    v = c
                s.add(to_code(v, names))
            ciphers[p] = s
        for p in PROTOS:
            if p not in ciphers:
                # absent list: empty if the protocol is off, unknown otherwise
                ciphers[p] = set() if r["protocols"][p] is False else None
        r["ciphers"] = ciphers
    return r


SSLYZE_KEYS = {"ssl_2_0_cipher_suites": "SSLv2", "ssl_3_0_cipher_suites": "SSLv3",
               "tls_1_0_cipher_suites": "TLSv1.0", "tls_1_1_cipher_suites": "TLSv1.1",
               "tls_1_2_cipher_suites": "TLSv1.2", "tls_1_3_cipher_suites": "TLSv1.3"}


def parse_sslyze(d, variant, names):
    r = empty_result()
    f = d / f"{variant}.json"
    if not f.exists() or f.stat().st_size == 0:
        r["error"] = "no JSON output"
        return r
    doc = load_json_lenient(f)
    res = (doc.get("server_scan_results") or [None])[0]
    if not res:
        r["error"] = "no server_scan_results"
        return r
    if res.get("connectivity_status") not in (None, "COMPLETED"):
        trace = [ln for ln in str(res.get("connectivity_error_trace") or "").splitlines() if ln.strip()]
        r["error"] = f"sslyze connectivity {res.get('connectivity_status')}: {trace[-1] if trace else '?'}"
        return r
    sr = res.get("scan_result") or {}
    ciphers, tested = {}, {}
    for key, p in SSLYZE_KEYS.items():
        attempt = sr.get(key) or {}
        if attempt.get("status") != "COMPLETED" or not attempt.get("result"):
            ciphers[p] = None
            if attempt.get("status") not in (None, "NOT_SCHEDULED"):
                r["notes"].append(f"{key}: {attempt.get('status')} {str(attempt.get('error_reason'))}")
            continue
        res_p = attempt["result"]
        r["protocols"][p] = bool(res_p.get("is_tls_version_supported"))
        acc = {to_code(c["cipher_suite"]["name"], names) for c in res_p.get("accepted_cipher_suites", [])}
        rej = {to_code(c["cipher_suite"]["name"], names) for c in res_p.get("rejected_cipher_suites", [])}
        ciphers[p], tested[p] = acc, acc | rej
    r["ciphers"], r["tested"] = ciphers, tested
    return r


TESTSSL_PROTO_IDS = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1",
                     "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
TESTSSL_E_PROTOS = {"ssl2": "SSLv2", "ssl3": "SSLv3", "tls1": "TLSv1.0", "tls1_1": "TLSv1.1",
                    "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3"}


def testssl_offered(finding):
    """testssl.sh 3.0 run_protocols() findings -> True/False/None (all wordings in its source)."""
    f = finding.strip().lower()
    if "not offered" in f:  # "not offered", "likely not offered", "... not offered, and downgraded ..."
        return False
    if f.startswith("connection failed rather than downgrading"):
        return False
    if re.match(r"server responded with higher version number .* than requested", f):
        return False
    if f.startswith("offered") or f.startswith("vulnerable with") or f.startswith("supported but couldn't detect"):
        return True  # "vulnerable with N ciphers" is SSLv2 offered
    return None  # "strange, server ...", "server responded with version number ...", WARN texts


def parse_testssl(d, variant, names):
    r = empty_result()
    f = d / f"{variant}.json"
    if not f.exists() or f.stat().st_size == 0:
        r["error"] = "no JSON output"
        return r
    doc = load_json_lenient(f)
    if isinstance(doc, dict):  # pretty format, in case someone switches flags
        doc = [x for sr in doc.get("scanResult", []) for v in sr.values() if isinstance(v, list) for x in v]
    per_proto = {p: set() for p in PROTOS}
    union, saw_e, saw_each = set(), False, False
    for item in doc:
        i, finding = str(item.get("id", "")), str(item.get("finding", ""))
        sev = str(item.get("severity", ""))
        if i in TESTSSL_PROTO_IDS:
            r["protocols"][TESTSSL_PROTO_IDS[i]] = testssl_offered(finding)
            if testssl_offered(finding) is None:
                r["notes"].append(f"{i}: {finding}")
            continue
        m = re.fullmatch(r"cipher-(ssl2|ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-fA-F]+)", i)
        if m:
            saw_e = True
            code = int(m.group(2), 16)
            per_proto[TESTSSL_E_PROTOS[m.group(1)]].add(code)
            union.add(code)
            continue
        m = re.fullmatch(r"cipher_x([0-9a-fA-F]+)", i)
        if m:
            saw_each = True
            union.add(int(m.group(1), 16))
            continue
        if sev in ("FATAL", "WARN") or i in ("scanProblem",):
            r["notes"].append(f"{i} [{sev}]: {finding[:160]}")
    if variant == "testssl-pe" or saw_e:
        r["ciphers"] = per_proto
    if saw_e or saw_each or variant == "testssl-pe":
        r["union"] = union
    return r


def parse_sslscan(d, names):
    r = empty_result()
    f = d / "sslscan.xml"
    if not f.exists() or f.stat().st_size == 0:
        r["error"] = "no XML output"
        return r
    try:
        root = ET.parse(f).getroot()
    except ET.ParseError as e:
        r["error"] = f"XML parse error: {e}"
        return r
    test = root.find("ssltest")
    if test is None:
        r["error"] = "no <ssltest> (connection failed?)"
        err = root.find("error")
        if err is not None:
            r["error"] += f" {err.text}"
        return r
    for pr in test.findall("protocol"):
        p = norm_proto(f"{pr.get('type')}{pr.get('version')}")
        if p:
            r["protocols"][p] = pr.get("enabled") == "1"
    ciphers = {p: set() for p in PROTOS}
    for c in test.findall("cipher"):
        if c.get("status") not in ("accepted", "preferred"):
            continue
        p = norm_proto(c.get("sslversion", ""))
        if p is None:
            r["notes"].append(f"unknown sslversion {c.get('sslversion')}")
            continue
        v = c.get("id") or c.get("cipher")
        ciphers[p].add(to_code(v, names))
    for p in PROTOS:
        if r["protocols"][p] and not ciphers[p]:
            r["notes"].append(f"sslscan detected {p} but listed no suites for it (its OpenSSL cannot "
                              f"negotiate them, so it cannot enumerate them)")
    r["ciphers"] = ciphers
    return r


def parse_variant(variant, d, target, names):
    try:
        if variant == "sansang":
            r = parse_sansang(d, target, names)
        elif variant.startswith("sslyze"):
            r = parse_sslyze(d, variant, names)
        elif variant.startswith("testssl"):
            r = parse_testssl(d, variant, names)
        elif variant == "sslscan":
            r = parse_sslscan(d, names)
        else:
            r = empty_result()
            r["error"] = "unknown variant"
    except Exception as e:  # a broken output file must not kill the report
        r = empty_result()
        r["error"] = f"parse failed: {type(e).__name__}: {e}"
    if r["ciphers"] is not None and r["union"] is None:
        r["union"] = set().union(*[s for s in r["ciphers"].values() if s])
    return r


# --------------------------------------------------------------------------- comparison
def md_cell(text):
    return re.sub(r"\s+", " ", str(text)).replace("|", "\\|")


def fmt_proto(v):
    return {True: "yes", False: "no", None: "?"}[v]


def compare(tool, ref, names, tool_label):
    """Return (proto_verdict, proto_diffs, cipher_verdict, cipher_diffs)."""
    if ref is None or ref.get("error") or tool.get("error"):
        return "n/a", [], "n/a", []
    pd, unknown = [], []
    for p in PROTOS:
        a, b = tool["protocols"][p], ref["protocols"][p]
        if a is None or b is None:
            if a != b:
                unknown.append(f"{p}: {tool_label}={fmt_proto(a)} ref={fmt_proto(b)}")
            continue
        if a != b:
            pd.append(f"{p}: {tool_label}={fmt_proto(a)} ref={fmt_proto(b)}")
    pv = "no" if pd else ("partly" if unknown else "yes")
    pdiffs = pd + [f"(unknown) {u}" for u in unknown]

    cd = []
    tool_tested, ref_tested = tool.get("tested") or {}, ref.get("tested") or {}

    def describe(codes, only_in_tool, p=None):
        # annotate suites the *other* side never offered in a ClientHello (when its output says so)
        other, other_label = (ref_tested, "ref") if only_in_tool else (tool_tested, tool_label)
        out = []
        for c in sorted(codes, key=lambda x: (isinstance(x, str), x if isinstance(x, int) else 0, str(x))):
            lab = names.label(c)
            if p and p in other and c not in other[p]:
                lab += f" [not attempted by {other_label}]"
            out.append(lab)
        return out

    if tool["ciphers"] is not None and ref["ciphers"] is not None:
        compared = 0
        for p in PROTOS:
            a, b = tool["ciphers"].get(p), ref["ciphers"].get(p)
            if a is None or b is None:
                continue
            compared += 1
            if a - b:
                cd.append(f"{p} only in {tool_label}: " + ", ".join(describe(a - b, True, p)))
            if b - a:
                cd.append(f"{p} only in ref: " + ", ".join(describe(b - a, False, p)))
        cv = ("no" if cd else "yes") if compared else "n/a"
    elif tool["union"] is not None and ref["union"] is not None:
        a, b = tool["union"], ref["union"]
        if a - b:
            cd.append(f"(union over protocols) only in {tool_label}: " + ", ".join(describe(a - b, True)))
        if b - a:
            cd.append(f"(union over protocols) only in ref: " + ", ".join(describe(b - a, False)))
        cv = ("no" if cd else "yes") + " (union)"
    else:
        cv = "n/a"
    return pv, pdiffs, cv, cd


# --------------------------------------------------------------------------- report
def read_measurements(out):
    rows = []
    f = out / "measurements.tsv"
    if not f.exists():
        return rows
    lines = f.read_text().splitlines()
    if not lines:
        return rows
    header = lines[0].split("\t")
    for line in lines[1:]:
        vals = line.split("\t")
        rows.append(dict(zip(header, vals + [""] * (len(header) - len(vals)))))
    return rows


def fnum(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def sh(cmd, timeout=20):
    try:
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=timeout)
        return re.sub(r"\x1b\[[0-9;]*m", "", (p.stdout + p.stderr)).strip("\n").rstrip()
    except Exception as e:
        return f"({e})"


def tool_versions(info):
    v = {}
    sansang = info.get("sansang", "")
    if sansang and os.access(sansang, os.X_OK):
        out = sh(f"timeout 10 '{sansang}' --version")
        v["sansang"] = (out.splitlines() or ["?"])[0][:120] + f"  ({sansang})"
    else:
        v["sansang"] = f"not found ({sansang})"
    py = info.get("python", "")
    if py and os.access(py, os.X_OK):
        v["sslyze"] = sh(f"'{py}' -c \"import importlib.metadata as m; print('sslyze', m.version('sslyze'), '/ nassl', m.version('nassl'))\"")
    else:
        v["sslyze"] = "not installed"
    t = sh("testssl --version 2>&1 | grep -m1 -Eo 'testssl[^ ]*\\s+[0-9][^ ]*'") if shutil.which("testssl") else ""
    v["testssl.sh"] = (re.sub(r"\s+", " ", t) + " (Debian package " + sh("dpkg-query -W -f '${Version}' testssl.sh") + ")") if t else "not installed"
    if shutil.which("sslscan"):
        lines = [ln.strip() for ln in sh("sslscan --version").splitlines() if ln.strip()]
        v["sslscan"] = " / ".join(lines[:2])
    else:
        v["sslscan"] = "not installed"
    v["openssl (used by testssl.sh, sslscan, lab)"] = sh("openssl version")
    v["tcpdump"] = (sh("tcpdump --version").splitlines() or [""])[0]
    v["strace"] = (sh("strace -V").splitlines() or [""])[0]
    return v


def report(args):
    out = Path(args.out)
    info = json.loads((out / "run-info.json").read_text()) if (out / "run-info.json").exists() else {}
    names = CipherNames()
    rows = read_measurements(out)
    eps = []
    if (out / "endpoints.tsv").exists():
        for line in (out / "endpoints.tsv").read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 4:
                eps.append({"name": parts[0], "host": parts[1], "port": parts[2], "target": parts[3],
                            "caFile": parts[4] if len(parts) > 4 else ""})

    # aggregate measurements per (endpoint, variant)
    agg = {}
    for r in rows:
        agg.setdefault((r["endpoint"], r["variant"]), []).append(r)

    def summary(ep, variant):
        rs = agg.get((ep, variant))
        if not rs:
            return None
        ok = [r for r in rs if r["status"] in ("ok", "exit")]
        use = ok or rs
        walls = [fnum(r["wall_s"]) for r in use if fnum(r["wall_s"]) is not None]
        cpus = [fnum(r["user_s"]) + fnum(r["sys_s"]) for r in use
                if fnum(r["user_s"]) is not None and fnum(r["sys_s"]) is not None]
        rss = [fnum(r["maxrss_kb"]) for r in use if fnum(r["maxrss_kb"]) is not None]
        conns = sorted({r["connections"] for r in rs if r["connections"] not in ("", "-")})
        raw = sorted({r["raw_syns"] for r in rs if r["raw_syns"] not in ("", "-")})
        drops = [int(r["syn_drops"]) for r in rs if r.get("syn_drops", "").isdigit()]
        if not any(r.get("syn_drops") for r in rs) and rs[0].get("conn_method") == "tcpdump":
            d = syn_drops(out / ep / f"{variant}.syn")  # older TSV without the column: last rep only
            drops = [d] if d is not None else []
        return {
            "wall": statistics.median(walls) if walls else None,
            "wall_all": walls,
            "cpu": statistics.median(cpus) if cpus else None,
            "rss_mb": max(rss) / 1024 if rss else None,
            "conns": "/".join(conns) if conns else "-",
            "raw": "/".join(raw) if raw else "-",
            "drops": max(drops) if drops else 0,
            "method": rs[0].get("conn_method", ""),
            "status": ",".join(sorted({f"{r['status']}({r['rc']})" if r["status"] != "ok" else "ok" for r in rs})),
            "reps": len(rs),
        }

    variants_run = [v for v in VARIANTS if any(k[1] == v for k in agg)]
    want_ref = args.reference
    parsed = {}
    for ep in eps:
        d = out / ep["name"]
        for v in variants_run:
            if (ep["name"], v) in agg:
                parsed[(ep["name"], v)] = parse_variant(v, d, ep["target"], names)

    def ok_ref(v):
        return any((e["name"], v) in parsed and not parsed[(e["name"], v)]["error"] for e in eps)

    ref_variant = want_ref if ok_ref(want_ref) else None
    ref_note = ""
    if ref_variant is None:
        for cand in ("sslyze-pc", "sslyze", "testssl-pe", "sslscan"):
            if ok_ref(cand):
                ref_variant = cand
                ref_note = (f"**{want_ref} produced no usable output in this run, so agreement is shown "
                            f"against `{cand}` instead.**")
                break

    L = []
    L.append("# TLS scanner benchmark: sansang vs sslyze vs testssl.sh vs sslscan\n")
    started = info.get("run_started") or sh("date -u +%Y-%m-%dT%H:%M:%SZ")
    L.append(f"Generated by `benchmarks/tls/run`; run started {started}, report written "
             f"{sh('date -u +%Y-%m-%dT%H:%M:%SZ')}.\n")
    L.append("## Machine\n")
    L.append("```")
    L.append(f"nproc: {sh('nproc')}")
    L.append(sh("lscpu | grep 'Model name'"))
    L.append(sh("free -h"))
    L.append(f"kernel: {sh('uname -r')}")
    L.append(f"load average (1/5/15 min) at start: {info.get('load_start', '?')}, at end: {info.get('load_end', '?')}")
    L.append("```\n")
    try:
        if float(str(info.get("load_start", "0")).split()[0]) > 0.5:
            L.append("**Warning: the machine was busy when the run started (load average above); "
                     "absolute times are inflated and noisy. Re-run on an idle machine for publishable numbers.**\n")
    except ValueError:
        pass
    L.append("## Tool versions\n")
    for k, val in tool_versions(info).items():
        L.append(f"- {k}: {val}")
    L.append("")
    L.append("## Setup\n")
    L.append(f"- endpoints: {info.get('endpoints_source', '?')}")
    L.append(f"- network isolation: {info.get('netns', '?')}")
    L.append(f"- connection counting: {info.get('count_method', '?')}")
    L.append(f"- timing repetitions per tool/endpoint: {info.get('repeat', '1')} (median wall shown)")
    L.append(f"- per-invocation timeout: {info.get('timeout', '?')} s; total budget {info.get('max_total', '?')} s")
    L.append("- wall/CPU/RSS: GNU `/usr/bin/time -f '%e %U %S %M'`; CPU = user+sys of the whole process tree; "
             "max RSS = peak of the single largest process in the tree (not a sum)")
    if ref_variant:
        L.append(f"- agreement reference: `{ref_variant}`")
    if ref_note:
        L.append(f"\n{ref_note}")
    for s in info.get("skipped", []):
        L.append(f"- skipped: {s}")
    L.append("")

    L.append("## Results\n")
    L.append("| endpoint | tool | wall s | CPU s | max RSS MB | connections | protocols agree | ciphers agree | status |")
    L.append("|---|---|---:|---:|---:|---:|---|---|---|")
    details = []
    for ep in eps:
        ref = parsed.get((ep["name"], ref_variant)) if ref_variant else None
        for v in variants_run:
            s = summary(ep["name"], v)
            if s is None:
                continue
            res = parsed.get((ep["name"], v))
            if v == ref_variant:
                pv, pdiff, cv, cdiff = "(ref)", [], "(ref)", []
            else:
                pv, pdiff, cv, cdiff = compare(res, ref, names, v)
            conns = s["conns"]
            if s["drops"]:
                conns = f"≥{conns} (capture dropped {s['drops']} packets: undercount)"
            elif s["raw"] not in ("-", s["conns"]):
                conns += f" ({s['raw']} SYNs)"
            if res and res.get("self_connections") is not None and str(res["self_connections"]) != s["conns"]:
                conns += f" (self-reported {res['self_connections']})"
            status = s["status"]
            if res and res.get("error"):
                status += f"; {md_cell(res['error'])[:300]}"
            wall = f"{s['wall']:.2f}" if s["wall"] is not None else "-"
            if s["reps"] > 1 and s["wall_all"]:
                wall += f" ({min(s['wall_all']):.2f}–{max(s['wall_all']):.2f})"
            cpu = f"{s['cpu']:.2f}" if s["cpu"] is not None else "-"
            rss = f"{s['rss_mb']:.1f}" if s["rss_mb"] is not None else "-"
            L.append(f"| {ep['name']} | {VARIANTS[v]} | {wall} | {cpu} | {rss} | {conns} | {pv} | {cv} | {status} |")
            if pdiff or cdiff or (res and res["notes"]):
                details.append((ep["name"], v, pdiff, cdiff, res["notes"] if res else []))
    L.append("")

    # speed ratios
    ratio_lines = []
    if any(k[1] == "sansang" and summary(k[0], "sansang") and summary(k[0], "sansang")["wall"] for k in agg):
        L.append("## Speed ratios (tool wall time / sansang wall time; >1 means sansang is faster)\n")
        cols = [v for v in variants_run if v != "sansang"]
        L.append("| endpoint | " + " | ".join(cols) + " |")
        L.append("|---|" + "---:|" * len(cols))
        totals = {v: [0.0, 0.0] for v in cols}
        for ep in eps:
            base = summary(ep["name"], "sansang")
            if not base or not base["wall"]:
                continue
            cells = []
            for v in cols:
                s = summary(ep["name"], v)
                if s and s["wall"]:
                    cells.append(f"{s['wall'] / base['wall']:.1f}×")
                    totals[v][0] += s["wall"]
                    totals[v][1] += base["wall"]
                else:
                    cells.append("-")
            L.append(f"| {ep['name']} | " + " | ".join(cells) + " |")
        cells = [f"{t[0] / t[1]:.1f}×" if t[1] else "-" for t in totals.values()]
        L.append("| **all (sum of walls)** | " + " | ".join(cells) + " |")
        L.append("")
        for v, t in totals.items():
            if t[1]:
                ratio_lines.append(f"{v}/sansang = {t[0] / t[1]:.1f}x  ({t[0]:.1f}s vs {t[1]:.1f}s over the same endpoints)")
    else:
        L.append("## Speed ratios\n")
        L.append("sansang was not measured in this run (binary missing or skipped), so no ratios.\n")
        ratio_lines.append("no sansang measurements: ratios n/a")

    # per-endpoint cross-tool matrix
    L.append("## Per-endpoint detail\n")
    for ep in eps:
        vs = [v for v in variants_run if (ep["name"], v) in parsed]
        if not vs:
            continue
        L.append(f"### {ep['name']} ({ep['target']})\n")
        L.append("Protocol support (yes/no/? = unknown) and accepted cipher-suite count per protocol; "
                 "`u` = union over protocols only (testssl.sh full run has no per-protocol list).\n")
        L.append("| protocol | " + " | ".join(vs) + " |")
        L.append("|---|" + "---|" * len(vs))
        for p in PROTOS:
            cells = []
            for v in vs:
                r = parsed[(ep["name"], v)]
                if r["error"]:
                    cells.append("err")
                    continue
                c = r["ciphers"].get(p) if r["ciphers"] else None
                cells.append(fmt_proto(r["protocols"][p]) + (f" / {len(c)}" if c is not None else ""))
            L.append(f"| {p} | " + " | ".join(cells) + " |")
        cells = []
        for v in vs:
            r = parsed[(ep["name"], v)]
            cells.append("err" if r["error"] else (str(len(r["union"])) + ("" if r["ciphers"] else " u")
                                                   if r["union"] is not None else "-"))
        L.append("| all (distinct suites) | " + " | ".join(cells) + " |")
        L.append("")
        for (e, v, pdiff, cdiff, notes) in details:
            if e != ep["name"]:
                continue
            L.append(f"**{VARIANTS[v]} vs `{ref_variant}`**\n")
            for x in pdiff:
                L.append(f"- protocol {x}")
            for x in cdiff:
                L.append(f"- ciphers {x}")
            for x in notes:
                L.append(f"- note: {x}")
            L.append("")

    L.append("## How to read this\n")
    L.append("- *connections*: TCP connections the tool opened to the endpoint's port "
             f"({info.get('count_method', '?')}). A number in parentheses is the raw SYN count when it "
             "differs (SYN retransmissions, e.g. the server's listen backlog overflowed). For sansang, "
             "`self-reported N` appears when its JSON `tls.connections` differs from the measured count. "
             "`≥N (capture dropped …)` means tcpdump lost packets (CPU starved): re-run, or use "
             "`--count-method strace`.")
    L.append("- *protocols agree*: all six SSLv2…TLSv1.3 verdicts equal the reference's; `partly` = no "
             "contradiction, but one side reported unknown for some protocol.")
    L.append("- *ciphers agree*: per-protocol accepted cipher-suite sets (by code) equal the reference's; "
             "`(union)` = only the union over protocols was comparable.")
    L.append("- `[not attempted by X]` marks a suite one side accepted that X never offered in a "
             "ClientHello (known only for sslyze, whose JSON lists rejected suites too).")
    L.append("- sslscan (Debian build) and testssl.sh's openssl-based checks only use what the system "
             "OpenSSL 3 supports; sslyze uses its bundled legacy OpenSSL (nassl) for old protocols.")
    L.append(f"- Raw outputs: `{out}` (one folder per endpoint: `<tool>.json|xml|stdout|stderr|time|syn|strace`).")
    L.append("")
    Path(args.md).write_text("\n".join(L) + "\n")

    # console summary
    print("\n== summary ==")
    for ep in eps:
        for v in variants_run:
            s = summary(ep["name"], v)
            if s:
                w = f"{s['wall']:.2f}s" if s["wall"] is not None else "-"
                print(f"{ep['name']:>12} {v:<11} wall {w:>9}  conns {s['conns']:>6}  {s['status']}")
    print("\n== speed ratios ==")
    for line in ratio_lines:
        print(line)
    print(f"\nwrote {args.md}")


# --------------------------------------------------------------------------- small commands
def cmd_endpoints(args):
    data = json.loads(Path(args.file).read_text())
    if isinstance(data, dict):
        data = data.get("endpoints", [])
    only = [x for x in (args.only or "").split(",") if x]
    base = Path(args.file).resolve().parent
    n = 0
    for e in data:
        name = str(e.get("name") or e.get("target"))
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        if only and name not in only and safe not in only:
            continue
        target = str(e["target"])
        m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\]:(\d+)", target) or re.fullmatch(r"([^:]+):(\d+)", target)
        if not m:
            print(f"bad target {target!r}", file=sys.stderr)
            continue
        ca = str(e.get("caFile") or "")
        if ca and not os.path.isabs(ca) and not os.path.exists(ca) and (base / ca).exists():
            ca = str(base / ca)
        print("\t".join([safe, m.group(1), m.group(2), target, ca]))
        n += 1
        if args.limit and n >= args.limit:
            break


def syn_drops(file):
    """Packets tcpdump reports as dropped by the kernel (ring buffer full), or None if unknown."""
    err = Path(str(file) + ".err")
    if not err.exists():
        return None
    m = re.search(r"(\d+) packets? dropped by kernel", err.read_text(errors="replace"))
    return int(m.group(1)) if m else None


def cmd_count_syn(args):
    seen, raw = set(), 0
    for line in Path(args.file).read_text(errors="replace").splitlines():
        if "Flags [S]" not in line:
            continue
        raw += 1
        m = re.search(r"\s(\S+)\s>\s(\S+):\sFlags \[S\],\sseq\s(\d+)", line)
        seen.add((m.group(1), m.group(3)) if m else line)
    if args.with_drops:
        d = syn_drops(args.file)
        print(len(seen), raw, "-" if d is None else d)
    else:
        print(len(seen), raw)


def cmd_count_strace(args):
    port = f"htons({args.port})"
    conns, calls = 0, 0
    for line in Path(args.file).read_text(errors="replace").splitlines():
        if "connect(" not in line or port not in line:
            continue
        if not ('inet_addr("127.' in line or '"::1"' in line or "::ffff:127." in line):
            continue
        calls += 1
        if "EISCONN" in line or "EALREADY" in line:
            continue  # re-poll of an in-progress connect, not a new connection
        conns += 1
    print(conns, calls)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("endpoints"); p.add_argument("file"); p.add_argument("--limit", type=int, default=0)
    p.add_argument("--only", default="")
    p = sub.add_parser("count-syn"); p.add_argument("file"); p.add_argument("--with-drops", action="store_true")
    p = sub.add_parser("count-strace"); p.add_argument("file"); p.add_argument("port")
    p = sub.add_parser("report"); p.add_argument("--out", required=True); p.add_argument("--md", required=True)
    p.add_argument("--reference", default="sansang")
    args = ap.parse_args()
    {"endpoints": cmd_endpoints, "count-syn": cmd_count_syn, "count-strace": cmd_count_strace,
     "report": report}[args.cmd](args)


if __name__ == "__main__":
    main()
