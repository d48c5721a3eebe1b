import type { Device } from '@lumen/tensor';

/** One section of the page: its element id and what its button does. */
export interface Panel {
  id: string;
  run(device: Device, status: (text: string) => void): Promise<void>;
}
