// check_ibac_pacemaker. crm_mon (Pacemaker 2.1: --output-as=xml) needs root or the haclient group: run as root.
// crm_mon prints one element per line, which is what the awk below reads.
export const PACEMAKER_SCRIPT = String.raw`#!/bin/sh
# check_ibac_pacemaker: CRITICAL without quorum or with a resource that runs nowhere (or failed); WARNING with
# failed actions left to clean up, an offline node, or a clone instance stopped.
unknown() { echo "PACEMAKER UNKNOWN - $1"; exit 3; }

[ "$#" -eq 0 ] || unknown "usage: check_ibac_pacemaker (no arguments)"
command -v crm_mon >/dev/null 2>&1 || unknown "crm_mon not found (Debian package pacemaker-cli-utils)"
if ! xml=$(crm_mon --one-shot --output-as=xml 2>&1); then
  echo "PACEMAKER CRITICAL - crm_mon failed: $(printf '%s' "$xml" | head -n 1)"
  exit 2
fi

printf '%s\n' "$xml" | awk '
  function attr(name,   v) {
    if (!match($0, " " name "=\"[^\"]*\"")) return ""
    v = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 4)
    return v
  }
  /<current_dc / { dc = 1; quorum = attr("with_quorum"); present = attr("present") }
  /<node name=/ { if (attr("online") == "false") offline = offline " " attr("name") }
  /<resource id=/ {
    id = attr("id")
    if (attr("target_role") ~ /^[Ss]topped$/) next
    if (!(id in seen)) order[++n] = id
    seen[id] = 1
    if (attr("active") == "true" && attr("failed") != "true") active[id]++; else inactive[id]++
    if (attr("failed") == "true") failed = failed " " id
  }
  /<failure / { failures++ }
  # Without a cluster crm_mon still exits 0, with the reason in an error element.
  /<error>/ { if (error == "") { error = $0; sub(/^ *<error>/, "", error); sub(/<\/error>.*/, "", error) } }
  END {
    if (!dc && error != "") { print "PACEMAKER CRITICAL - crm_mon: " error; exit 2 }
    if (!dc) { print "PACEMAKER UNKNOWN - crm_mon printed no cluster summary"; exit 3 }
    state = 0; text = ""
    if (present != "true") { text = text "; no DC"; state = 2 }
    else if (quorum != "true") { text = text "; no quorum"; state = 2 }
    for (i = 1; i <= n; i++) {
      r = order[i]
      if (!active[r]) { nowhere = nowhere " " r; state = 2 }
      else if (inactive[r]) { partly = partly " " r; if (state < 1) state = 1 }
    }
    if (failed != "") { text = text "; failed:" failed; state = 2 }
    if (nowhere != "") text = text "; stopped:" nowhere
    if (partly != "") { text = text "; instances stopped:" partly }
    if (offline != "") { text = text "; offline:" offline; if (state < 1) state = 1 }
    if (failures) { text = text "; " failures " failed actions"; if (state < 1) state = 1 }
    if (text == "") text = "; quorate, " n " resources started"
    print "PACEMAKER " (state == 2 ? "CRITICAL" : state == 1 ? "WARNING" : "OK") " - " substr(text, 3) " | resources=" n " failed_actions=" failures + 0
    exit state
  }'
`;
