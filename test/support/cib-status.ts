// The cluster state a rendered CIB needs before crm_verify and crm_simulate judge it as a running cluster would:
// the rendered file holds configuration only (the cluster writes have-quorum and the status section itself).

export interface OnlineNode {
  /** corosync's node id, the CIB's node id. */
  id: number;
  uname: string;
  /**
   * The promotion score the DRBD agent sets for an UpToDate disk (`crm_attribute --promotion`, 10000); the
   * simulation runs no agent, so without it nothing would be promoted.
   */
  promotionScore?: number;
}

/** The node attribute that carries a promotable resource's promotion score in Pacemaker 2.1 (and 3.0). */
export function promotionAttribute(primitiveId: string): string {
  return `master-${primitiveId}`;
}

/**
 * `cib` with have-quorum="1" and a status section in which every node is a joined, online member with the
 * given promotion score for `promotableId`, and no resource has run yet. crm_simulate -S settles from there.
 */
export function withNodesOnline(cib: string, nodes: readonly OnlineNode[], promotableId: string): string {
  if (!cib.startsWith("<cib ") || !cib.includes("\n  </configuration>\n</cib>")) throw new Error("not a rendered CIB: expected <cib ...> ending with </configuration></cib>");
  if (cib.includes("have-quorum") || cib.includes("<status")) throw new Error("the CIB already carries cluster state");
  const states = nodes.map((n) => {
    const attribute = n.promotionScore === undefined ? "" : `
      <transient_attributes id="${n.id}">
        <instance_attributes id="status-${n.id}">
          <nvpair id="status-${n.id}-${promotionAttribute(promotableId)}" name="${promotionAttribute(promotableId)}" value="${n.promotionScore}"/>
        </instance_attributes>
      </transient_attributes>`;
    return `    <node_state id="${n.id}" uname="${n.uname}" in_ccm="true" crmd="online" join="member" expected="member">${attribute}
    </node_state>`;
  });
  return cib.replace("<cib ", '<cib have-quorum="1" ')
    .replace("\n  </configuration>\n</cib>", `\n  </configuration>\n  <status>\n${states.join("\n")}\n  </status>\n</cib>`);
}
