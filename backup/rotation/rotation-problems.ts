// The photo policies the Hanoi rotation cannot honour, as spec problems (the loader reports them with the
// file and field like any other): the hourly runs repeat each day, the Fulls each week.
import type { PlatformSpec } from "../../components/spec/schema";
import type { FieldProblem } from "../../components/spec/errors";

const PHOTOS = ["backupPolicy", "photos"] as const;
const DIVISORS_OF_24 = [1, 2, 3, 4, 6, 8, 12, 24] as const;

export function rotationProblems(photos: PlatformSpec["backupPolicy"]["photos"]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const hours = photos.newestRestorePointHours;
  if (!(DIVISORS_OF_24 as readonly number[]).includes(hours)) {
    problems.push({
      path: [...PHOTOS, "newestRestorePointHours"],
      detail: `expected a number of hours that divides a day (1, 2, 3, 4, 6, 8, 12 or 24), found ${hours}: the rotation runs at the same hours every day`,
    });
  }
  if (photos.oldestRestorePointDays < 7) {
    problems.push({
      path: [...PHOTOS, "oldestRestorePointDays"],
      detail: `expected at least 7 days, found ${photos.oldestRestorePointDays}: the rotation's Fulls are weekly, so its oldest restore point is a kept weekly Full`,
    });
  }
  return problems;
}
