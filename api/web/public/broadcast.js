/* global document, navigator, window -- a browser module */
// The broadcaster's page: camera and microphone preview, start/stop, the live viewer count pushed by the streaming
// service. Video goes out as three simulcast layers; the service forwards to each viewer the layer their bandwidth
// allows.
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
let media = null;
let live = null; // {signal, transport, producers: []}

/** Low, medium, high: a quarter, half and the full picture, each with a bitrate ceiling. */
const simulcast = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

function showError(code, message) {
  const el = $('error');
  el.hidden = false;
  el.dataset.code = code;
  el.textContent = `${message || 'Something went wrong'} (${code})`;
}

function clearError() {
  $('error').hidden = true;
  delete $('error').dataset.code;
}

function setLive(state, text) {
  $('live').dataset.state = state;
  $('live').textContent = text;
  $('badge').hidden = state !== 'on';
}

function setViewers(n) {
  $('viewers').textContent = String(n);
  $('viewers').dataset.value = String(n);
}

async function camera() {
  clearError();
  try {
    media = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
    });
    $('preview').srcObject = media;
    $('start').disabled = !session.access;
    $('camera').disabled = true;
  } catch (e) {
    showError('MEDIA_DENIED', `camera or microphone unavailable: ${e.message}`);
  }
}

async function start() {
  clearError();
  $('start').disabled = true;
  setLive('connecting', 'Connecting…');
  let signal;
  try {
    const { token } = await streamToken(eventId, 'broadcaster');
    const { Device } = await loadMediasoupClient();
    signal = await Signal.open();
    const state = { signal, transport: null, producers: [] };
    live = state;
    signal.onNotification = (kind, data) => {
      if (kind === 'viewerCount') setViewers(data.viewers);
    };
    signal.closed.then((closed) => {
      if (live !== state) return;
      stopLocal();
      const { code, message } = closeReason(closed);
      showError(code, message || 'the connection ended');
    });
    const joined = await signal.request('join', { eventId, streamToken: token });
    setViewers(joined.viewers);
    const device = new Device();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    const params = await signal.request('createTransport', { direction: 'send' });
    state.transport = device.createSendTransport(params);
    wireTransport(signal, state.transport);
    const [videoTrack] = media.getVideoTracks();
    const [audioTrack] = media.getAudioTracks();
    if (videoTrack)
      state.producers.push(
        await state.transport.produce({
          track: videoTrack,
          encodings: simulcast,
          codecOptions: { videoGoogleStartBitrate: 1000 },
          stopTracks: false,
        }),
      );
    if (audioTrack) state.producers.push(await state.transport.produce({ track: audioTrack, stopTracks: false }));
    $('stop').disabled = false;
    setLive('on', 'On air');
    startStats(state);
  } catch (e) {
    live = null;
    signal?.close();
    $('start').disabled = false;
    setLive('off', 'Off air');
    showError(e.code || 'ERROR', e.message);
  }
}

function startStats(state) {
  let last = null;
  const timer = window.setInterval(async () => {
    if (live !== state) return window.clearInterval(timer);
    const videoProducer = state.producers.find((p) => p.kind === 'video');
    const report = await videoProducer?.getStats().catch(() => null);
    let bytes = 0;
    let at = 0;
    const layers = [];
    report?.forEach((s) => {
      if (s.type !== 'outbound-rtp') return;
      bytes += s.bytesSent || 0;
      at = s.timestamp;
      if (s.frameWidth) layers.push(`${s.frameWidth}×${s.frameHeight}`);
    });
    if (last && at > last.at)
      $('s-bitrate').textContent = `${Math.round(((bytes - last.bytes) * 8) / (at - last.at))} kbit/s`;
    last = { bytes, at };
    $('s-layers').textContent = layers.length ? layers.join(', ') : '–';
  }, 1000);
}

function stopLocal() {
  const state = live;
  live = null;
  for (const p of state?.producers ?? []) p.close();
  state?.transport?.close();
  $('stop').disabled = true;
  $('start').disabled = !media || !session.access;
  setLive('off', 'Off air');
  setViewers(0);
}

function stop() {
  const state = live;
  stopLocal();
  state?.signal.close();
}

function showSignIn() {
  const form = $('signin');
  form.hidden = !!session.access;
  $('who').textContent = session.email || '';
  $('start').disabled = !media || !session.access;
  form.onsubmit = async (e) => {
    e.preventDefault();
    clearError();
    try {
      if (form.token.value.trim()) session.set({ accessToken: form.token.value.trim(), refreshToken: '' });
      else await signIn(form.email.value, form.password.value, form.totp.value.trim());
      showSignIn();
    } catch (err) {
      showError(err.code || 'ERROR', err.message);
    }
  };
}

$('camera').addEventListener('click', () => void camera());
$('start').addEventListener('click', () => void start());
$('stop').addEventListener('click', stop);
if (!eventId) showError('SS_ERR_VALIDATION', 'this page needs ?event=<event id>');
$('event-name').textContent = eventId;
showSignIn();
