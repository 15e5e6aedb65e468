import {
  newActivity,
  type Activity,
  type ActivityPage,
  type ActivityStore,
  type ListOptions,
  type NewActivity,
} from './activity-store.js';

/** Keeps activities in process memory: nothing to set up, and everything is lost on restart. */
export class MemoryActivityStore implements ActivityStore {
  /** Oldest first; new ids always sort last, so appending keeps the order. */
  private readonly activities: Activity[];

  constructor(initial: readonly Activity[] = []) {
    this.activities = [...initial].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async list({ limit, before }: ListOptions): Promise<ActivityPage> {
    const older = before === undefined ? this.activities : this.activities.filter((a) => a.id < before);
    const page = older.slice(-limit).reverse();
    const last = page.at(-1);
    return { activities: page, nextBefore: older.length > limit && last ? last.id : null };
  }

  async get(id: string): Promise<Activity | undefined> {
    return this.activities.find((a) => a.id === id);
  }

  async create(input: NewActivity): Promise<Activity> {
    const activity = newActivity(input);
    this.activities.push(activity);
    return activity;
  }

  async close(): Promise<void> {}
}
