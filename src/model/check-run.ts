/** A check run's output as GitHub takes it: https://docs.github.com/en/rest/checks/runs#update-a-check-run */
export type CheckAnnotation = {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
};

export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled" | "skipped";

export type CheckOutput = { title: string; summary: string; annotations?: CheckAnnotation[] };
