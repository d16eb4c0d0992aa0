/**
 * Loads a TF.js model from a local folder — model.json plus its weight files — without tfjs-node: a layers-model
 * (Keras converter) or a graph-model (TensorFlow SavedModel converter). Weight files may lack the .bin suffix.
 * Every problem (no model.json, a missing or truncated weight file, an unsupported op) is one sentence naming
 * the file or op and what to do.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { tf, type GraphModel, type LayersModel } from '../engine/tf.ts';
import { UserError } from '../errors.ts';

export type LoadedModel =
  | { kind: 'layers'; folder: string; model: LayersModel; json: ModelJson }
  | { kind: 'graph'; folder: string; model: GraphModel; json: ModelJson };

interface WeightGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string; quantization?: { dtype: string } }[];
}

export interface ModelJson {
  format?: string;
  modelTopology?: Record<string, unknown>;
  weightsManifest?: WeightGroup[];
  signature?: unknown;
  userDefinedMetadata?: unknown;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, bool: 1, float16: 2 };

export async function loadModel(folder: string): Promise<LoadedModel> {
  const json = readModelJson(folder);
  const kind = modelKind(json, folder);
  const handler: tf.io.IOHandler = { load: async () => artifacts(folder, json) };
  try {
    if (kind === 'layers') return { kind, folder, json, model: await tf.loadLayersModel(handler) };
    const model = await tf.loadGraphModel(handler);
    warmUp(model);
    return { kind, folder, json, model };
  } catch (error) {
    throw explainModelError(error, folder);
  }
}

export function readModelJson(folder: string): ModelJson {
  const file = path.join(folder, 'model.json');
  if (!existsSync(file)) {
    throw new UserError(
      `${file}: not found; a TF.js model folder holds model.json and its weight files (convert a Keras or SavedModel model with tensorflowjs_converter).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${(error as Error).message}); re-export the model.`);
  }
  if (!json || typeof json !== 'object' || !('modelTopology' in json) || !('weightsManifest' in json)) {
    throw new UserError(`${file}: not a TF.js model (no modelTopology and weightsManifest); convert the model with tensorflowjs_converter.`);
  }
  return json as ModelJson;
}

function modelKind(json: ModelJson, folder: string): 'layers' | 'graph' {
  if (json.format === 'layers-model') return 'layers';
  if (json.format === 'graph-model') return 'graph';
  const topology = json.modelTopology ?? {};
  if ('node' in topology) return 'graph';
  if ('model_config' in topology || 'class_name' in topology || 'config' in topology) return 'layers';
  throw new UserError(`${path.join(folder, 'model.json')}: neither a layers-model nor a graph-model; its "format" field should say which.`);
}

/** Reads every weight file, checking each against the byte count its manifest entry implies. */
function artifacts(folder: string, json: ModelJson): tf.io.ModelArtifacts {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest ?? []) {
    const expected = group.weights.reduce((total, weight) => {
      const dtype = weight.quantization?.dtype ?? weight.dtype;
      return total + (BYTES[dtype] ?? 4) * weight.shape.reduce((a, b) => a * b, 1);
    }, 0);
    const files = group.paths.map((name) => weightFile(folder, name));
    const data = Buffer.concat(files.map((file) => readFileSync(file)));
    if (data.length < expected) {
      throw new UserError(
        `${files.join(', ')}: holds ${data.length} bytes but the weights listed for it in model.json need ${expected}; the file is truncated, copy it again.`,
      );
    }
    specs.push(...(group.weights as tf.io.WeightsManifestEntry[]));
    buffers.push(data);
  }
  const weightData = Buffer.concat(buffers);
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    format: json.format,
    weightSpecs: specs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    signature: json.signature as object | undefined,
    userDefinedMetadata: json.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
  };
}

/** A weight file as listed, or with/without ".bin" (converters and hosts disagree about the suffix). */
function weightFile(folder: string, name: string): string {
  const listed = path.join(folder, name);
  const alternative = listed.endsWith('.bin') ? listed.slice(0, -4) : `${listed}.bin`;
  for (const candidate of [listed, alternative]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new UserError(`${listed}: weight file listed in model.json is missing; copy it next to model.json.`);
}

/**
 * Graph-models meet unsupported ops only when they run, so one pass on a blank input at load time finds them
 * (where the input size is fixed in the model).
 */
function warmUp(model: GraphModel): void {
  const input = model.inputs[0];
  const shape = input?.shape?.map((size, axis) => (axis === 0 ? 1 : size));
  if (!input || !shape || shape.some((size) => size < 0)) return;
  tf.tidy(() => {
    model.execute({ [input.name]: tf.zeros(shape, input.dtype) });
  });
}

/** A model error as one sentence naming the model and the op or layer, where TF.js says which. */
export function explainModelError(error: unknown, folder: string): Error {
  if (error instanceof UserError) return error;
  const message = String((error as Error)?.message ?? error);
  const op = /Op is not supported: (\S+)|(?:Unknown|unsupported) op(?:eration)?[: ]+'?([\w.]+)/i.exec(message);
  if (op) {
    const name = op[1] ?? op[2];
    return new UserError(
      `${path.join(folder, 'model.json')}: uses the op ${name}, which TensorFlow.js does not support; re-export the model without it (or replace the layer).`,
    );
  }
  const layer = /Unknown layer: (\w+)/.exec(message);
  if (layer) {
    return new UserError(
      `${path.join(folder, 'model.json')}: uses the layer ${layer[1]}, which TensorFlow.js does not know; register it or re-export the model without it.`,
    );
  }
  return new UserError(`${path.join(folder, 'model.json')}: could not be loaded (${message.split('\n')[0]}).`);
}
