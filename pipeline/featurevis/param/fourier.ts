/**
 * The Fourier parameterization: an image stored as the coefficients of its 2-D real spectrum, each scaled by
 * 1/frequency so that Adam's equal-sized steps give the 1/f spectrum of natural images instead of
 * high-frequency noise. The inverse transform is a real-valued DFT by matrix multiplication with precomputed
 * cos/sin matrices (wasm cannot hold complex tensors, so tf.spectral is out): first along x from the half
 * spectrum (complex → complex), then along y (complex → real). Both are plain matMuls, so gradients are cheap.
 */
import { tf, type Tensor } from '../../engine/tf.ts';

/** Frequencies (cycles per pixel) of the half spectrum [h, w/2 + 1]: √(fy² + fx²). */
export function spectrumFrequencies(height: number, width: number): Float32Array {
  const columns = Math.floor(width / 2) + 1;
  const out = new Float32Array(height * columns);
  for (let ky = 0; ky < height; ky++) {
    const fy = (ky <= (height - 1) / 2 ? ky : ky - height) / height; // numpy's fftfreq order
    for (let kx = 0; kx < columns; kx++) out[ky * columns + kx] = Math.hypot(fy, kx / width);
  }
  return out;
}

/** Per-coefficient scale 1/max(f, 1/max(h, w))^decay, times √(hw) so the image's scale is size-independent. */
export function spectrumScale(height: number, width: number, decay = 1): Float32Array {
  const floor = 1 / Math.max(height, width);
  const scale = spectrumFrequencies(height, width).map((f) => 1 / Math.max(f, floor) ** decay);
  const norm = Math.sqrt(height * width);
  return scale.map((s) => s * norm);
}

/** The matrices of the inverse real DFT (numpy's irfft2 normalization, 1/(hw)). */
export interface InverseDft {
  height: number;
  width: number;
  /** [2·kx, 2·w]: [re | im] along x → [re | im] of the x-inverse, with the Hermitian weights folded in. */
  alongX: Tensor;
  /** [h, 2·h]: [re | im] stacked along y → the real image. */
  alongY: Tensor;
  /** Their transposes, for the gradients. */
  alongXT: Tensor;
  alongYT: Tensor;
}

/** A constant 2-D matrix [r, c] and its transpose, made once. */
function withTranspose(values: Float32Array, rows: number, columns: number): [Tensor, Tensor] {
  const transposed = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) transposed[c * rows + r] = values[r * columns + c]!;
  return [tf.tensor2d(values, [rows, columns]), tf.tensor2d(transposed, [columns, rows])];
}

/**
 * x·M (side "right") or M·x (side "left") for a constant M, differentiable in x only. The gradient multiplies
 * by the precomputed transpose: matMul's own gradient uses transposed operands, which wasm runs 10–30× slower.
 */
export function constantProduct(x: Tensor, matrix: Tensor, transposed: Tensor, side: 'left' | 'right'): Tensor {
  const product = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as Tensor;
    return {
      value: side === 'right' ? tf.matMul(input, matrix) : tf.matMul(matrix, input),
      gradFunc: (dy: Tensor) => (side === 'right' ? tf.matMul(dy, transposed) : tf.matMul(transposed, dy)),
    };
  });
  return product(x);
}

export function inverseDft(height: number, width: number): InverseDft {
  const columns = Math.floor(width / 2) + 1;
  const x = new Float32Array(2 * columns * 2 * width);
  for (let k = 0; k < columns; k++) {
    // A coefficient stands for itself and its conjugate twin, except DC and (even widths) Nyquist.
    const weight = k === 0 || (width % 2 === 0 && k === width / 2) ? 1 : 2;
    for (let n = 0; n < width; n++) {
      const angle = (2 * Math.PI * k * n) / width;
      const c = (weight * Math.cos(angle)) / width;
      const s = (weight * Math.sin(angle)) / width;
      // re' = re·c − im·s ; im' = re·s + im·c
      x[k * 2 * width + n] = c;
      x[k * 2 * width + width + n] = s;
      x[(columns + k) * 2 * width + n] = -s;
      x[(columns + k) * 2 * width + width + n] = c;
    }
  }
  const y = new Float32Array(height * 2 * height);
  for (let n = 0; n < height; n++) {
    for (let k = 0; k < height; k++) {
      const angle = (2 * Math.PI * k * n) / height;
      y[n * 2 * height + k] = Math.cos(angle) / height; // real part: re·cos − im·sin
      y[n * 2 * height + height + k] = -Math.sin(angle) / height;
    }
  }
  const [alongX, alongXT] = withTranspose(x, 2 * columns, 2 * width);
  const [alongY, alongYT] = withTranspose(y, height, 2 * height);
  return { height, width, alongX, alongY, alongXT, alongYT };
}

/**
 * Real images [n, h, w] from half spectra [n, h, 2, w/2 + 1] (real part, then imaginary part, per row).
 * Matches numpy.fft.irfft2 (checked against a direct DFT in tests). The layout makes each row already the
 * [re | im] vector the first product needs, so no slicing or concatenation (slow on wasm) is involved.
 */
export function irfft2(spectrum: Tensor, dft: InverseDft): Tensor {
  const { height: h, width: w } = dft;
  const [n, , , columns] = spectrum.shape as [number, number, number, number];
  const rows = tf.reshape(spectrum, [n * h, 2 * columns]);
  const halfway = tf.reshape(constantProduct(rows, dft.alongX, dft.alongXT, 'right'), [n, h, 2, w]);
  // Along y: stack re over im on the y axis ([2h] per column), contract with alongY.
  const stacked = tf.reshape(tf.transpose(halfway, [2, 1, 0, 3]), [2 * h, n * w]); // [(part, ky), (n, x)]
  const image = tf.reshape(constantProduct(stacked, dft.alongY, dft.alongYT, 'left'), [h, n, w]);
  return tf.transpose(image, [1, 0, 2]);
}

/**
 * The half spectrum [h, w/2 + 1] of a real image [h, w] (numpy's rfft2, unnormalized: irfft2 above undoes it),
 * by direct summation in double precision: for warm starts, once per icon, where speed does not matter.
 */
export function forwardDft(image: Float64Array, height: number, width: number): { re: Float64Array; im: Float64Array } {
  const columns = Math.floor(width / 2) + 1;
  // Along x first: rows [h, columns] complex.
  const rowRe = new Float64Array(height * columns);
  const rowIm = new Float64Array(height * columns);
  for (let y = 0; y < height; y++) {
    for (let kx = 0; kx < columns; kx++) {
      let re = 0;
      let im = 0;
      for (let x = 0; x < width; x++) {
        const angle = (-2 * Math.PI * kx * x) / width;
        re += image[y * width + x]! * Math.cos(angle);
        im += image[y * width + x]! * Math.sin(angle);
      }
      rowRe[y * columns + kx] = re;
      rowIm[y * columns + kx] = im;
    }
  }
  const re = new Float64Array(height * columns);
  const im = new Float64Array(height * columns);
  for (let ky = 0; ky < height; ky++) {
    for (let kx = 0; kx < columns; kx++) {
      let sumRe = 0;
      let sumIm = 0;
      for (let y = 0; y < height; y++) {
        const angle = (-2 * Math.PI * ky * y) / height;
        const [c, s] = [Math.cos(angle), Math.sin(angle)];
        const [r, i] = [rowRe[y * columns + kx]!, rowIm[y * columns + kx]!];
        sumRe += r * c - i * s;
        sumIm += r * s + i * c;
      }
      re[ky * columns + kx] = sumRe;
      im[ky * columns + kx] = sumIm;
    }
  }
  return { re, im };
}
