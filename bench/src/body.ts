/** The ~2 KB JSON body every scenario's handler answers with. */
export const responseBody = {
  items: Array.from({ length: 24 }, (_, index) => ({
    id: index,
    name: `product ${index}`,
    price: 100 + index,
    tags: ['a', 'b'],
  })),
}
