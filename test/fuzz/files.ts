/** Fuzz classes over the file readers: malformed .npy files, malformed JSON kernels, file I/O. */
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createKernel, formatKernel, parseKernel, parseNpy, readKernelFile, writeKernelFile, type Kernel } from "../../lib/index.js";
import type { FuzzClass, Rng } from "./harness.js";
import { nonFinitePath, show } from "./harness.js";
import { HOSTILE_SCALARS, randomData, smallKernel } from "./values.js";

const encoder = new TextEncoder();

/** A .npy file built by hand from its parts (so any part can be wrong). */
export function npyBytes(opts: { magic?: number[]; major?: number; minor?: number; header: string; headerLength?: number; data: Uint8Array }): Uint8Array {
  const magic = opts.magic ?? [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  const major = opts.major ?? 1;
  const header = encoder.encode(opts.header);
  const lengthBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(6 + 2 + lengthBytes + header.length + opts.data.length);
  out.set(magic, 0);
  out[6] = major;
  out[7] = opts.minor ?? 0;
  const view = new DataView(out.buffer);
  const hl = opts.headerLength ?? header.length;
  if (lengthBytes === 2) view.setUint16(8, hl & 0xffff, true);
  else view.setUint32(8, hl >>> 0, true);
  out.set(header, 8 + lengthBytes);
  out.set(opts.data, 8 + lengthBytes + header.length);
  return out;
}

function float64Bytes(values: Float64Array, bigEndian = false): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat64(8 * i, v, !bigEndian));
  return out;
}

const DTYPES = ["<f8", "<f4", "<f2", ">f8", ">f4", "|b1", "<i4", "<i8", "|u1", "<c16", "O", "", "<f8 ", "f8", "<f16", "=f8"];

/** A malformed (or occasionally valid) .npy file. */
function hostileNpy(r: Rng): { label: string; bytes: Uint8Array } {
  const kernel = smallKernel(r, 3, 2);
  const shape = [...kernel.shape];
  const dict = (descr: string, fortran: string, shapeText: string) => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shapeText}, }`.padEnd(118) + "\n";
  const shapeText = `(${shape.join(", ")})`;
  const data = float64Bytes(kernel.data);
  const valid = () => npyBytes({ header: dict("<f8", "False", shapeText), data });
  switch (r.int(0, 13)) {
    case 0: {
      const m = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
      m[r.int(0, 5)] ^= 1 << r.int(0, 7);
      return { label: "bad magic", bytes: npyBytes({ magic: m, header: dict("<f8", "False", shapeText), data }) };
    }
    case 1: {
      const major = r.pick([0, 4, 9, 255]);
      return { label: `version ${major}`, bytes: npyBytes({ major, header: dict("<f8", "False", shapeText), data }) };
    }
    case 2: {
      const headerLength = r.pick([0, 1, 10, 117, 119, 200, 65535]);
      return { label: `header length ${headerLength}`, bytes: npyBytes({ header: dict("<f8", "False", shapeText), headerLength, data }) };
    }
    case 3: {
      const d = r.pick(DTYPES);
      return { label: `dtype ${JSON.stringify(d)}`, bytes: npyBytes({ header: dict(d, "False", shapeText), data }) };
    }
    case 4:
      return { label: "fortran_order True", bytes: npyBytes({ header: dict("<f8", "True", shapeText), data }) };
    case 5: {
      const s = r.pick([
        "()",
        "(3,)",
        "(3, 3)",
        `(${shape.join(", ")}, 1)`,
        "(-1, 3, 1, 1)",
        "(3L, 3L, 1L, 1L)",
        "(99999999999, 1, 1, 1)",
        "(1e3, 1, 1, 1)",
        "(65536, 65536, 65536, 65536)",
        "(0, 0, 1, 1)",
        `(${shape[0] + 1}, ${shape[1]}, ${shape[2]}, ${shape[3]})`,
        "(,)",
        "(3 3 1 1)",
      ]);
      return { label: `shape ${s}`, bytes: npyBytes({ header: dict("<f8", "False", s), data }) };
    }
    case 6: {
      const b = valid();
      const cut = r.int(0, b.length - 1);
      return { label: `truncated at ${cut} of ${b.length}`, bytes: b.subarray(0, cut) };
    }
    case 7: {
      const b = valid();
      const extra = new Uint8Array(b.length + r.int(1, 9));
      extra.set(b);
      return { label: "trailing bytes", bytes: extra };
    }
    case 8: {
      const b = valid().slice();
      const flips = r.int(1, 4);
      for (let i = 0; i < flips; i++) b[r.int(0, b.length - 1)] = r.int(0, 255);
      return { label: `${flips} random bytes`, bytes: b };
    }
    case 9:
      return { label: "random garbage", bytes: Uint8Array.from({ length: r.int(0, 300) }, () => r.int(0, 255)) };
    case 10: {
      const major = r.pick([2, 3]);
      return { label: `valid v${major}`, bytes: npyBytes({ major, header: dict("<f8", "False", shapeText), data }) };
    }
    case 11:
      return { label: "big-endian data as <f8", bytes: npyBytes({ header: dict("<f8", "False", shapeText), data: float64Bytes(kernel.data, true) }) };
    case 12:
      return {
        label: "header without dictionary",
        bytes: npyBytes({ header: r.pick(["", "{}", "{'descr': '<f8'}", "not a dict", "{'shape': (1,1,1,1)}".padEnd(60), "\u00ff\u00fe{".repeat(20)]), data }),
      };
    default:
      return { label: "valid", bytes: valid() };
  }
}

/** A malformed (or occasionally valid) JSON kernel document. */
function hostileJson(r: Rng): { label: string; bytes: Uint8Array } {
  const k = smallKernel(r, 3, 2);
  const doc: Record<string, unknown> = { shape: [...k.shape], layout: "hwio", data: Array.from(k.data) };
  const text = (v: unknown) => encoder.encode(JSON.stringify(v));
  switch (r.int(0, 11)) {
    case 0:
      delete doc[r.pick(["shape", "data"])];
      return { label: "missing field", bytes: text(doc) };
    case 1:
      doc.shape = r.pick([null, 3, "3,3,1,1", [3, 3, 1], [3, 3, 1, 1, 1], [1.5, 1.5, 1, 1], [-3, -3, 1, 1], ["3", "3", "1", "1"], {}]);
      return { label: `shape ${JSON.stringify(doc.shape)}`, bytes: text(doc) };
    case 2:
      doc.layout = r.pick(["nchw", "HWIO", 3, null, ""]);
      return { label: `layout ${JSON.stringify(doc.layout)}`, bytes: text(doc) };
    case 3: {
      const d = doc.data as unknown[];
      d[r.int(0, d.length - 1)] = r.pick(["1", null, true, [], {}]);
      return { label: "non-number entry", bytes: text(doc) };
    }
    case 4:
      return { label: "huge number", bytes: encoder.encode(JSON.stringify(doc).replace(/"data":\[[^,\]]+/, '"data":[1e999')) };
    case 5:
      doc.data = (doc.data as number[]).slice(1);
      return { label: "short data", bytes: text(doc) };
    case 6:
      return { label: "not an object", bytes: text(r.pick([[1, 2], 3, "kernel", null, true])) };
    case 7: {
      const t = JSON.stringify(doc);
      return { label: "truncated JSON", bytes: encoder.encode(t.slice(0, r.int(0, t.length - 1))) };
    }
    case 8:
      return { label: "invalid UTF-8", bytes: Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]) };
    case 9:
      return { label: "deep nesting", bytes: encoder.encode("[".repeat(5000) + "]".repeat(5000)) };
    case 10:
      doc.data = [Array.from(k.data)];
      return { label: "nested data", bytes: text(doc) };
    default:
      doc.layout = r.pick(["hwio", "oihw", undefined]);
      return { label: "valid", bytes: text(doc) };
  }
}

function checkKernel(v: unknown): string | undefined {
  const k = v as Kernel;
  if (!k || !(k.data instanceof Float64Array) || k.data.length !== k.shape.reduce((a, b) => a * b, 1)) return "not a kernel";
  return nonFinitePath(k.data);
}

let scratch: string | undefined;
/** A scratch directory with a few real files for the file I/O class. */
function scratchDir(): string {
  if (scratch) return scratch;
  scratch = mkdtempSync(path.join(tmpdir(), "convreg-fuzz-"));
  mkdirSync(path.join(scratch, "a-directory.npy"));
  writeFileSync(path.join(scratch, "empty.npy"), new Uint8Array(0));
  writeFileSync(path.join(scratch, "good.npy"), formatKernel(createKernel(randomData({ normal: () => 0.5 } as Rng, 9), [3, 3, 1, 1]), "npy"));
  return scratch;
}

export const fileClasses: FuzzClass[] = [
  {
    name: "malformed .npy",
    weight: 14,
    make: (r) => {
      const { label, bytes } = hostileNpy(r);
      const asKernel = r.chance(0.7);
      const layout = r.pick(["hwio", "oihw", undefined]);
      return asKernel
        ? { label: `parseKernel .npy ${label} ${layout}`, run: () => parseKernel(bytes, "fuzz.npy", { layout: layout as never }), check: checkKernel }
        : // parseNpy returns the file's numbers as stored (NaN included: data, not a computation).
          { label: `parseNpy ${label}`, run: () => parseNpy(bytes, "fuzz.npy"), check: (v) => ((v as { data: unknown }).data instanceof Float64Array ? undefined : "no data") };
    },
  },
  {
    name: "malformed JSON kernels",
    weight: 8,
    make: (r) => {
      const { label, bytes } = hostileJson(r);
      return { label: `parseKernel json ${label}`, run: () => parseKernel(bytes, "fuzz.json", { layout: r.pick(["hwio", "oihw", undefined]) as never }), check: checkKernel };
    },
  },
  {
    name: "file I/O (paths, directories, writes)",
    weight: 1,
    make: (r) => {
      const dir = scratchDir();
      const target = r.pick([
        path.join(dir, "missing.npy"),
        path.join(dir, "a-directory.npy"),
        path.join(dir, "empty.npy"),
        path.join(dir, "good.npy"),
        "",
        "\0bad",
        ...HOSTILE_SCALARS.slice(0, 6),
      ]);
      if (r.chance(0.6))
        return {
          label: `readKernelFile(${show(target)})`,
          run: () => readKernelFile(target as string, r.pick([undefined, null, { layout: "oihw" }, { layout: 3 }]) as never),
          check: checkKernel,
        };
      const out = r.pick([path.join(dir, "no-such-dir", "k.npy"), path.join(dir, "a-directory.npy"), path.join(dir, "out.json"), path.join(dir, "out.npy"), ""]);
      return {
        label: `writeKernelFile(${out})`,
        run: () => writeKernelFile(out, r.chance(0.8) ? smallKernel(r) : ({ shape: [1, 1, 1, 1], data: [1] } as never)),
        check: () => undefined,
      };
    },
  },
];
