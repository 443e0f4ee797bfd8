import { firstDifferentLine } from '../drift.check';

describe('firstDifferentLine', () => {
  it('is undefined for equal texts and the 1-based first differing line otherwise', () => {
    expect(firstDifferentLine('a\nb\n', 'a\nb\n')).toBeUndefined();
    expect(firstDifferentLine('a\nb\nc', 'a\nB\nc')).toBe(2);
    expect(firstDifferentLine('a\nb', 'a\nb\nc')).toBe(3);
    expect(firstDifferentLine('a\n', 'a')).toBe(2);
  });
});
