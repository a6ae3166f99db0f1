/**
 * Issue 16, class 9: texture objects AMD rejects at creation (ROCm clr, hipamd/src/hip_texture.cpp).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser } from '../../src/core/parse';
import { analyze } from '../../src/core/analyze';

before(async () => {
  await initParser();
});

const codes = (src: string, code: string, offloadArch?: string[]) =>
  analyze(src, { targetRocm: '6.2', ...(offloadArch ? { offloadArch } : {}) }).findings.filter((f) => f.code === code);

const VOLUME = `cudaTextureObject_t makeVolume(cudaExtent e) {
  cudaChannelFormatDesc d = cudaCreateChannelDesc<float>();
  cudaArray_t arr;
  cudaMalloc3DArray(&arr, &d, e);
  cudaResourceDesc r = {};
  r.resType = cudaResourceTypeArray;
  r.res.array.array = arr;
  cudaTextureDesc td = {};
  td.filterMode = cudaFilterModeLinear;
  td.normalizedCoords = 1;
  cudaTextureObject_t tex;
  cudaCreateTextureObject(&tex, &r, &td, nullptr);
  return tex;
}
`;

test('HP513: linear filtering with a 3D texture warns when gfx90a is a target, information otherwise', () => {
  const fs = codes(VOLUME, 'HP513');
  assert.equal(fs.length, 1);
  assert.equal(fs[0]!.severity, 'warning');
  assert.equal(VOLUME.slice(fs[0]!.start, fs[0]!.end), 'cudaFilterModeLinear');
  assert.match(fs[0]!.message, /hipErrorNotSupported .* gfx90a/);
  assert.deepEqual(fs[0]!.related?.map((r) => VOLUME.slice(r.start, r.end)), ['cudaMalloc3DArray']);
  assert.equal(codes(VOLUME, 'HP513', ['gfx1100'])[0]!.severity, 'information');
  // 2D linear filtering, and point filtering of a 3D texture, stay quiet
  assert.deepEqual(codes(VOLUME.replace('cudaMalloc3DArray', 'cudaMallocArray'), 'HP513'), []);
  assert.deepEqual(codes(VOLUME.replace('cudaFilterModeLinear', 'cudaFilterModePoint'), 'HP513'), []);
});

test('HP514: a 2D pitched texture whose pitch is computed from an element size', () => {
  const src = `void bind(float* p, int w, int h, size_t pitch, cudaTextureObject_t* t) {
  cudaResourceDesc r = {};
  r.resType = cudaResourceTypePitch2D;
  r.res.pitch2D.devPtr = p;
  r.res.pitch2D.pitchInBytes = w * sizeof(float);
  cudaBindTexture2D(0, texRef, p, desc, w, h, w * sizeof(float));
}
`;
  const fs = codes(src, 'HP514');
  assert.deepEqual(fs.map((f) => src.slice(f.start, f.end)), ['pitchInBytes', 'cudaBindTexture2D']);
  assert.match(fs[0]!.message, /\(w \* sizeof\(float\)\).*texturePitchAlignment.*hipMallocPitch/);
  // the pitch cudaMallocPitch returned: quiet
  const ok = src.replace('r.res.pitch2D.pitchInBytes = w * sizeof(float);', 'r.res.pitch2D.pitchInBytes = pitch;').replace('w, h, w * sizeof(float))', 'w, h, pitch)');
  assert.deepEqual(codes(ok, 'HP514'), []);
});
