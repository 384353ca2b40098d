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

  it("when the a-priori Cholesky term cannot fit, its power steps stop early and the residual certifies a bracket that holds", () => {
    const kernel = nearlySingularKernel(3, 3, 3, 1e-4, 2024);
    const n = 10;
    const s = singularValues(kernel, { n, method: "svd" });
    const r = sigmaMin(kernel, { n });
    expect(r.certificate).toBe("kato-temple");
    const last = r.certificateDetail.attempts[r.certificateDetail.attempts.length - 1];
    const room = last.allowedMargin - last.formMargin - last.shiftMargin;
    expect(last.choleskyStoppedEarly).toBe(true);
    expect(last.choleskyLowerBound).toBeGreaterThan(room); // why it stopped: the a-priori term cannot fit
    expect(last.choleskyMargin).toBeGreaterThanOrEqual(last.choleskyLowerBound); // still an upper bound
    expect(last.choleskyMargin).toBe(minimum(last.choleskyNormSteps));
    expect(last.residualComputed).toBe(true);
    expect([1, 6]).toContain(last.residualPowerSteps); // 1 when that bound already fit the room
    if (last.residualPowerSteps === 1) expect(last.residualMargin).toBeLessThan(room);
    expect(last.margin).toBeCloseTo(last.formMargin + last.shiftMargin + last.residualMargin, 25);
    expect(last.margin).toBeLessThan(last.allowedMargin);
    expect(r.certificateDetail.reason).toMatch(/power steps stopped early/);
    const truth = s[s.length - 1];
    expect(r.lower).toBeLessThanOrEqual(truth * (1 + 1e-12));
    expect(r.upper).toBeGreaterThanOrEqual(truth * (1 - 1e-12));
  });

  it("with the a-priori steps stopped early, a Gram matrix too close to singular for its formation error is still refused", () => {
    const kernel = nearlySingularKernel(3, 3, 3, 1e-5, 2024);
    const r = sigmaMin(kernel, { n: 10 });
    expect(r.certificate).toBe("none");
    expect(r.certified).toBe(false);
    const tries = r.certificateDetail.attempts.filter((a) => a.factored);
    expect(tries.length).toBeGreaterThan(0);
    for (const a of tries) {
      expect(a.choleskyStoppedEarly).toBe(true);
      expect(a.choleskyLowerBound).toBeGreaterThan(a.allowedMargin - a.formMargin - a.shiftMargin);
      expect(a.residualComputed).toBe(true);
      expect(a.margin).toBeGreaterThanOrEqual(a.allowedMargin);
    }
    expect(r.certificateDetail.reason).toMatch(/^not certified/);
  });

  it("the formation bound is a valid bound on || |A|^T |A| ||: no smaller than || A^T A || = sigma_max^2", () => {
    const kernel = createKernel(randomData(3, 2, 3, 5), [3, 3, 2, 3]);
    const s = singularValues(kernel, { n: 6, method: "svd" });
    const r = sigmaMin(kernel, { n: 6 });
    for (const b of r.certificateDetail.formNormSteps) expect(b).toBeGreaterThanOrEqual(s[0] * s[0] * (1 - 1e-12));
  });
});
