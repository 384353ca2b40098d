/**
 * Works around a TF.js 4.22 bug: DepthwiseConv2D.getConfig() writes the serialized
 * depthwiseRegularizer as `depthwiseConstraint` (tensorflow/tfjs PR #8564, open). Loading such a
 * model makes the regularizer the kernel's constraint, and loading the weights then fails
 * ("shape of the new value () and previous value ... must match"). For layers that carry a convreg
 * regularizer only, the config's constraint is put back to the layer's real one; every other
 * DepthwiseConv2D serializes exactly as before.
 */
import * as tf from "@tensorflow/tfjs";
import { ConvregRegularizer } from "./regularizers.js";

interface DepthwiseInternals {
  depthwiseRegularizer?: unknown;
  depthwiseConstraint?: tf.serialization.Serializable | null;
}

type GetConfig = (this: DepthwiseInternals) => tf.serialization.ConfigDict;

const registered = tf.serialization.SerializationMap.getMap().classNameMap.DepthwiseConv2D as unknown as [{ prototype: { getConfig: GetConfig } }, unknown] | undefined;
if (registered) {
  const prototype = registered[0].prototype;
  const original = prototype.getConfig;
  prototype.getConfig = function getConfig(this: DepthwiseInternals): tf.serialization.ConfigDict {
    const config = original.call(this);
    if (this.depthwiseRegularizer instanceof ConvregRegularizer) {
      const constraint = this.depthwiseConstraint;
      config.depthwiseConstraint = constraint == null ? null : { className: constraint.getClassName(), config: constraint.getConfig() };
    }
    return config;
  };
}
