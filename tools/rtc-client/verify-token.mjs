// Verifies a LiveKit access token with LiveKit's own Node SDK (independent of lkfleet's Java code).
// stdin: {"apiKey":"…","apiSecret":"…","token":"…"}; stdout: the verified claims as JSON, or
// {"error":"…"} and exit code 1.
import { TokenVerifier } from 'livekit-server-sdk';

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  try {
    const { apiKey, apiSecret, token } = JSON.parse(input);
    const claims = await new TokenVerifier(apiKey, apiSecret).verify(token);
    process.stdout.write(JSON.stringify(claims) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: String(err?.message ?? err) }) + '\n');
    process.exit(1);
  }
});
