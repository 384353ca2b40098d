import { describe, expect, it } from "vitest";
import { createKernel, singularValues } from "../lib/index.js";
import { sigmaMin } from "../lib/spectrum/sigma-min.js";
import { nearlySingularKernel } from "./near-singular.js";
import { randomData } from "./reference.js";

// The certificate's report (certificateDetail): every Cholesky try with the terms of its rounding
// margin, checked for consistency and against dense singular values (dgesvd) of M.

const minimum = (a: Float64Array) => a.reduce((m, x) => Math.min(m, x), Infinity);

describe("sigmaMin certificate detail", () => {
  it("a Kato-Temple certificate reports its margin terms, and its lambda_2 bound holds against dgesvd", () => {
    const kernel = nearlySingularKernel(3, 3, 3, 1e-3, 2024);
    const n = 10;
    const s = singularValues(kernel, { n, method: "svd" });
    const r = sigmaMin(kernel, { n });
    expect(r.certificate).toBe("kato-temple");
    const d = r.certificateDetail;
    const last = d.attempts[d.attempts.length - 1];
    expect(last.kind).toBe("kato-temple");
    expect(last.factored).toBe(true);
    expect(last.margin).toBeCloseTo(last.formMargin + last.shiftMargin + last.choleskyMargin, 20);
    expect(last.margin).toBeLessThan(last.allowedMargin);
    expect(last.shift).toBe(r.lambda.certificateShift);
    expect(last.margin).toBe(r.lambda.roundingMargin);
    // The margin uses the smallest Collatz-Wielandt bound of the power steps.
    expect(last.choleskyMargin).toBe(minimum(last.choleskyNormSteps));
    expect(last.residualComputed).toBe(false); // the a-priori bound sufficed
    // The second eigenvalue of the Gram matrix is sigma_2(M)^2 (sigma_min^2 is simple here).
    const sigma2 = s[s.length - 2];
    expect(r.lambda.secondLower).toBeLessThanOrEqual(sigma2 * sigma2 * (1 + 1e-10));
    expect(r.lambda.secondLower).toBeCloseTo(last.shift - last.margin, 25);
    expect(d.reason).toMatch(/^kato-temple at shift .* below the allowed/);
  });

  it("a nearly singular Gram matrix (cond ~1e17) is not certified, and the report says by how much each try missed", () => {
    const kernel = createKernel(randomData(2, 4, 4, 83), [2, 2, 4, 4]);
    const r = sigmaMin(kernel, { n: 10 });
    expect(r.certificate).toBe("none");
    expect(r.certified).toBe(false);
    for (const a of r.certificateDetail.attempts) if (a.factored) expect(a.margin).toBeGreaterThanOrEqual(a.allowedMargin);
    expect(r.certificateDetail.reason).toMatch(/^(not certified|no Cholesky certificate tried|every Cholesky try failed)/);
    expect(r.certificateDetail.formNormSteps.length).toBeGreaterThan(0);
  });

  it("the formation bound is a valid bound on || |A|^T |A| ||: no smaller than || A^T A || = sigma_max^2", () => {
    const kernel = createKernel(randomData(3, 2, 3, 5), [3, 3, 2, 3]);
    const s = singularValues(kernel, { n: 6, method: "svd" });
    const r = sigmaMin(kernel, { n: 6 });
    for (const b of r.certificateDetail.formNormSteps) expect(b).toBeGreaterThanOrEqual(s[0] * s[0] * (1 - 1e-12));
  });
});
