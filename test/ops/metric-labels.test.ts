import { describe, expect, it } from 'vitest';
import { discordRouteLabel, interactionIdOfCallback, runcomfyEndpoint } from '../../src/ops/metric-labels.js';

describe('metric labels', () => {
  it('elide ids, interaction and webhook tokens and emoji from Discord routes', () => {
    const token = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpzZWNyZXQtdG9rZW4tdmFsdWU';
    expect(discordRouteLabel('/channels/1234567890123456789/messages')).toBe('/channels/:id/messages');
    expect(discordRouteLabel(`/interactions/1234567890123456789/${token}/callback`)).toBe(
      '/interactions/:id/:token/callback',
    );
    expect(discordRouteLabel(`/webhooks/1234567890123456789/${token}/messages/%40original?with_components=true`)).toBe(
      '/webhooks/:id/:token/messages/@original',
    );
    expect(
      discordRouteLabel('/channels/123456789012345678/messages/123456789012345679/reactions/%F0%9F%91%8D/@me'),
    ).toBe('/channels/:id/messages/:id/reactions/:emoji/@me');
    expect(discordRouteLabel('/applications/123456789012345678/commands')).toBe('/applications/:id/commands');
  });

  it('find the interaction of a callback, and only of a callback', () => {
    expect(interactionIdOfCallback('/interactions/1234567890123456789/tok/callback')).toBe('1234567890123456789');
    expect(interactionIdOfCallback('/interactions/1234567890123456789/tok/callback?with_response=true')).toBe(
      '1234567890123456789',
    );
    expect(interactionIdOfCallback('/webhooks/1/tok/messages/@original')).toBeUndefined();
  });

  it('name one RunComfy endpoint per API call', () => {
    expect(runcomfyEndpoint('POST', '/v1/models/bytedance/seedream-4-0/sequential')).toBe('submit');
    expect(runcomfyEndpoint('GET', '/v1/models/bytedance/seedream-4-0/sequential')).toBe('model_info');
    expect(runcomfyEndpoint('GET', '/v1/requests/{id}/status')).toBe('status');
    expect(runcomfyEndpoint('GET', '/v1/requests/{id}/result?include_cost=true')).toBe('result');
    expect(runcomfyEndpoint('POST', '/v1/requests/{id}/cancel')).toBe('cancel');
    expect(runcomfyEndpoint('GET', '/elsewhere')).toBe('other');
  });
});
