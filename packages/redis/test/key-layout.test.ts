import { hashKeyPart, KeyLayout, keyPart, slotSource } from '@rediware/redis'

describe('KeyLayout', () => {
  const layout = new KeyLayout('app:')

  it('keeps short safe parts readable and hashes anything else', () => {
    expect(keyPart('emails')).toBe('emails')
    expect(keyPart(42)).toBe('42')
    expect(keyPart('a:b')).toBe(hashKeyPart('a:b'))
    expect(keyPart('{x}')).toBe(hashKeyPart('{x}'))
    expect(keyPart('*')).toBe(hashKeyPart('*'))
    expect(keyPart('x'.repeat(65))).toBe(hashKeyPart('x'.repeat(65)))
    expect(layout.key('user', 'a b')).toBe(`app:user:${hashKeyPart('a b')}`)
  })

  it('puts a group in one slot that user input cannot escape', () => {
    const group = layout.group('emails')
    expect(group.tag).toBe('{app:emails}')
    expect(group.key()).toBe('app:{app:emails}')
    expect(group.key('job', 'welcome:7')).toBe(`app:{app:emails}:job:${hashKeyPart('welcome:7')}`)
    const hostile = layout.group('}{evil')
    expect(slotSource(hostile.key('a'))).toBe(`app:${hashKeyPart('}{evil')}`)
    expect(slotSource(hostile.key('{b}'))).toBe(slotSource(hostile.key('c')))
  })
})
