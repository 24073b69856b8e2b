/* global document, window, MediaStream -- a browser module */
// The viewer's page: one click joins the event's live stream with the signed-in buyer's ticket (a stream token from
// the API), mute/unmute, a quality cap, and a quality indicator read from the consumers' getStats().
import {
  closeReason,
  eventIdFromUrl,
  loadMediasoupClient,
  session,
  signIn,
  Signal,
  streamToken,
  wireTransport,
} from './stream-client.js';

const $ = (id) => document.getElementById(id);
const eventId = eventIdFromUrl();
const video = $('video');
let current = null; // {signal, transport, consumers: Map}

function showError(code, message) {
  const el = $('error');
  el.hidden = false;
  el.dataset.code = code;
  el.dataset.kind = 'error';
  el.textContent = `${message || 'Something went wrong'} (${code})`;
}

function clearError() {
  const el = $('error');
  el.hidden = true;
  delete el.dataset.code;
  el.textContent = '';
}

function setLive(state, text) {
  $('live').dataset.state = state;
  $('live').textContent = text;
}

function setControls(joined) {
  $('join').disabled = joined;
  $('leave').disabled = !joined;
  $('mute').disabled = !joined;
  $('cap').disabled = !joined;
  $('badge').hidden = !joined;
}

async function consume(state, device, producerId) {
  const answer = await state.signal.request('consume', {
    transportId: state.transport.id,
    producerId,
    rtpCapabilities: device.rtpCapabilities,
  });
  const consumer = await state.transport.consume({
    id: answer.consumerId,
    producerId: answer.producerId,
    kind: answer.kind,
    rtpParameters: answer.rtpParameters,
  });
  state.consumers.set(consumer.id, consumer);
  state.stream.addTrack(consumer.track);
  video.srcObject = state.stream;
  await state.signal.request('resumeConsumer', { consumerId: consumer.id });
  if (consumer.kind === 'video') applyCap(state, consumer);
}

function applyCap(state, consumer) {
  const cap = $('cap').value;
  const spatialLayer = cap === 'auto' ? 2 : Number(cap);
  state.signal.request('setPreferredLayers', { consumerId: consumer.id, spatialLayer }).catch(() => undefined);
}

function removeConsumer(state, consumerId) {
  const c = state.consumers.get(consumerId);
  if (!c) return;
  state.consumers.delete(consumerId);
  state.stream.removeTrack(c.track);
  c.close();
}

async function join() {
  clearError();
  setControls(true);
  $('join').disabled = true;
  setLive('connecting', 'Connecting…');
  let signal;
  try {
    const { token } = await streamToken(eventId, 'viewer');
    const { Device } = await loadMediasoupClient();
    signal = await Signal.open();
    const state = { signal, transport: null, consumers: new Map(), stream: new MediaStream(), layer: null };
    current = state;
    const queued = [];
    let device = null;
    signal.onNotification = (kind, data) => {
      if (kind === 'producerAdded') {
        if (device) consume(state, device, data.producerId).catch((e) => showError(e.code || 'ERROR', e.message));
        else queued.push(data.producerId);
      } else if (kind === 'consumerClosed') removeConsumer(state, data.consumerId);
      else if (kind === 'viewerCount') $('live').title = `${data.viewers} watching`;
      else if (kind === 'layersChanged') state.layer = data.spatialLayer;
    };
    signal.closed.then((closed) => {
      if (current !== state) return;
      current = null;
      for (const id of [...state.consumers.keys()]) removeConsumer(state, id);
      video.srcObject = null;
      setControls(false);
      setLive('off', 'Disconnected');
      const { code, message } = closeReason(closed);
      if (closed.wsCode !== 1000 || code !== 'WS_1000') showError(code, message || 'The stream ended');
    });
    const joined = await signal.request('join', { eventId, streamToken: token });
    device = new Device();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    const params = await signal.request('createTransport', { direction: 'recv' });
    state.transport = device.createRecvTransport(params);
    wireTransport(signal, state.transport);
    for (const p of [...joined.producers.map((x) => x.producerId), ...queued]) await consume(state, device, p);
    setLive('on', joined.producers.length ? 'Watching live' : 'Waiting for the broadcast');
    startStats(state);
  } catch (e) {
    signal?.close();
    current = null;
    setControls(false);
    setLive('off', 'Not watching');
    showError(e.code || 'ERROR', e.message);
  }
}

function startStats(state) {
  let last = null;
  const timer = window.setInterval(async () => {
    if (current !== state) return window.clearInterval(timer);
    let videoIn = null;
    let audioIn = null;
    for (const c of state.consumers.values()) {
      const report = await c.getStats().catch(() => null);
      report?.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') videoIn = s;
        if (s.type === 'inbound-rtp' && s.kind === 'audio') audioIn = s;
      });
    }
    if (videoIn) {
      const now = videoIn.timestamp;
      const bits = last ? ((videoIn.bytesReceived - last.bytes) * 8 * 1000) / (now - last.at) : 0;
      last = { bytes: videoIn.bytesReceived, at: now };
      $('q-resolution').textContent = videoIn.frameWidth ? `${videoIn.frameWidth}×${videoIn.frameHeight}` : '–';
      $('q-fps').textContent = videoIn.framesPerSecond ? String(Math.round(videoIn.framesPerSecond)) : '–';
      $('q-bitrate').textContent = `${Math.round(bits / 1000)} kbit/s`;
      $('q-frames').textContent = String(videoIn.framesDecoded ?? 0);
      $('q-frames').dataset.value = String(videoIn.framesDecoded ?? 0);
    }
    $('q-layer').textContent =
      state.layer === null ? '–' : (['low', 'medium', 'high'][state.layer] ?? String(state.layer));
    if (audioIn) {
      $('q-audio').textContent = `${Math.round((audioIn.bytesReceived || 0) / 1024)} KiB received`;
      $('q-audio').dataset.bytes = String(audioIn.bytesReceived || 0);
    }
    const fps = videoIn?.framesPerSecond ?? 0;
    const level = !videoIn ? 'none' : state.layer === 2 && fps >= 20 ? 'good' : fps >= 10 ? 'fair' : 'poor';
    const q = $('quality');
    q.dataset.level = level;
    q.textContent = { none: 'No picture yet', good: 'Good', fair: 'Fair: a lower layer or frame rate', poor: 'Poor' }[
      level
    ];
  }, 1000);
}

function leave() {
  const state = current;
  current = null;
  state?.signal.close();
  for (const id of [...(state?.consumers.keys() ?? [])]) removeConsumer(state, id);
  video.srcObject = null;
  setControls(false);
  setLive('off', 'Not watching');
}

function showSignIn() {
  const form = $('signin');
  form.hidden = !!session.access;
  $('join').hidden = !session.access;
  $('who').textContent = session.email || '';
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearError();
    try {
      await signIn(form.email.value, form.password.value);
      showSignIn();
    } catch (err) {
      showError(err.code || 'ERROR', err.message);
    }
  };
}

$('join').addEventListener('click', () => void join());
$('leave').addEventListener('click', leave);
$('mute').addEventListener('click', () => {
  video.muted = !video.muted;
  $('mute').textContent = video.muted ? 'Unmute' : 'Mute';
  $('mute').setAttribute('aria-pressed', String(video.muted));
});
$('cap').addEventListener('change', () => {
  if (!current) return;
  for (const c of current.consumers.values()) if (c.kind === 'video') applyCap(current, c);
});
if (!eventId) showError('SS_ERR_VALIDATION', 'this page needs ?event=<event id>');
$('event-name').textContent = eventId;
showSignIn();
