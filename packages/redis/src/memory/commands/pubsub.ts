import { type Handler, text } from '../args.js'

/** PUBLISH and SPUBLISH (the memory backend has one shard): the number of receivers. */
const publish: Handler = (space, args) => space.pubsub.publish(text(args[0]), text(args[1]))

export const pubsubCommands: Readonly<Record<string, Handler>> = {
  PUBLISH: publish,
  SPUBLISH: publish,
}
