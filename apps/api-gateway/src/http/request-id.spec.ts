import { newRequestId } from './request-id';

describe(newRequestId.name, () => {
  it('gives req- and 16 base64url characters (12 random bytes), never the same twice across refills of its pool', () => {
    const ids = Array.from({ length: 1000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(/^req-[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
